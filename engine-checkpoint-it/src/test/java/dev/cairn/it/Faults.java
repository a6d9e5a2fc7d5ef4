package dev.cairn.it;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The faults a test injects into members running in its own JVM: through the storage every member
 * uses ({@link FaultyStorage}) and the transform of the {@link FaultyDemoJob}. Static, because
 * members are created by the engine, not by the test; reset before each run.
 */
final class Faults {
    /** Every storage call fails, as if the storage were unreachable. */
    static volatile boolean storageDown;
    /** Added to every store. */
    static volatile long storageDelayMillis;

    private static final AtomicBoolean THROW = new AtomicBoolean();
    private static final AtomicReference<Long> STALL = new AtomicReference<>();
    private static final AtomicReference<Pause> SNAPSHOT_PAUSE = new AtomicReference<>();
    private static final AtomicReference<Pause> STORE_PAUSE = new AtomicReference<>();

    private Faults() {}

    static void reset() {
        storageDown = false;
        storageDelayMillis = 0;
        THROW.set(false);
        STALL.set(null);
        SNAPSHOT_PAUSE.set(null);
        STORE_PAUSE.set(null);
    }

    /** The next record a transform sees makes it throw. */
    static void throwOnce() {
        THROW.set(true);
    }

    static boolean takeThrow() {
        return THROW.compareAndSet(true, false);
    }

    /** The next snapshot a transform takes stalls for {@code millis}. */
    static void stallOnce(long millis) {
        STALL.set(millis);
    }

    static Long takeStall() {
        return STALL.getAndSet(null);
    }

    /**
     * A point in the middle of some work (a snapshot, a store) where the work waits for the test:
     * the test learns it is there, acts (kills a member), then lets it go on.
     */
    static final class Pause {
        private final CountDownLatch reached = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        /** Called by the paused work. */
        void hold() throws InterruptedException {
            reached.countDown();
            released.await(5, TimeUnit.SECONDS);
        }

        /** Called by the test: whether the work got here within {@code millis}. */
        boolean awaitReached(long millis) throws InterruptedException {
            return reached.await(millis, TimeUnit.MILLISECONDS);
        }

        void release() {
            released.countDown();
        }
    }

    /** The next snapshot a transform takes pauses (its checkpoint is in flight meanwhile). */
    static Pause pauseNextSnapshot() {
        Pause pause = new Pause();
        SNAPSHOT_PAUSE.set(pause);
        return pause;
    }

    static Pause takeSnapshotPause() {
        return SNAPSHOT_PAUSE.getAndSet(null);
    }

    /** The next store pauses (a flush is in flight meanwhile). */
    static Pause pauseNextStore() {
        Pause pause = new Pause();
        STORE_PAUSE.set(pause);
        return pause;
    }

    static Pause takeStorePause() {
        return STORE_PAUSE.getAndSet(null);
    }
}
