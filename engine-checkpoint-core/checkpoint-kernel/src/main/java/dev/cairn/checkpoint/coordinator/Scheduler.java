package dev.cairn.checkpoint.coordinator;

/**
 * Time and the coordinator's one thread. Production runs on a single-thread scheduled executor
 * and the system clock; tests drive a manual one, so that they never sleep.
 *
 * <p>Once a scheduler is closed (its job ended or left this member), tasks handed to it are
 * dropped, not refused: the coordinator they belonged to is gone.
 */
public interface Scheduler {

    /** Now, in epoch milliseconds. */
    long now();

    /** Runs {@code task} on the coordinator thread, after what is queued. */
    void execute(Runnable task);

    /** Runs {@code task} on the coordinator thread in {@code delayMillis}. */
    Cancellable schedule(Runnable task, long delayMillis);

    interface Cancellable {
        void cancel();
    }
}
