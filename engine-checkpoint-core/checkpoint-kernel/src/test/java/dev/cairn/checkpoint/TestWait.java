package dev.cairn.checkpoint;

import java.time.Duration;

/** The one way a test of core waits for something that happens on another thread: a condition, a bound, a message. */
public final class TestWait {
    private TestWait() {}

    /** A condition that may throw (it reads a map, a storage). */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    public static void until(Condition condition, String what) throws Exception {
        until(condition, Duration.ofSeconds(30), what);
    }

    public static void until(Condition condition, Duration within, String what) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within + ": " + what);
            }
            Thread.sleep(10);
        }
    }
}
