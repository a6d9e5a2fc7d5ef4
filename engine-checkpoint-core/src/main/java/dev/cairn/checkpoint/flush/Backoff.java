package dev.cairn.checkpoint.flush;

/** Exponential backoff: {@code initial}, doubling, capped at {@code max}; reset on success. */
final class Backoff {
    private final long initial;
    private final long max;
    private long next;
    private int failures;

    Backoff(long initialMillis, long maxMillis) {
        this.initial = initialMillis;
        this.max = maxMillis;
        this.next = initialMillis;
    }

    /** The delay before the next attempt after one more failure. */
    long failed() {
        failures++;
        long delay = next;
        next = Math.min(max, next * 2);
        return delay;
    }

    void succeeded() {
        failures = 0;
        next = initial;
    }

    int failures() {
        return failures;
    }
}
