package dev.cairn.checkpoint.runtime;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** Wakes a waiting task thread: new input, or a control message. */
final class Signal {
    private final Semaphore permit = new Semaphore(0);

    void wake() {
        if (permit.availablePermits() == 0) {
            permit.release();
        }
    }

    /** Waits until woken or {@code millis} pass; a wake before the call counts. */
    void await(long millis) throws InterruptedException {
        if (permit.tryAcquire(millis, TimeUnit.MILLISECONDS)) {
            permit.drainPermits();
        }
    }
}
