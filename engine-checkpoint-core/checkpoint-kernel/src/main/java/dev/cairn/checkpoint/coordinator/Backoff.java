package dev.cairn.checkpoint.coordinator;

/** Exponential backoff: {@code initial}, doubling, capped at {@code max}; reset on success. */
public final class Backoff {
    private final long initial;
    private final long max;
    private long next;
    private int failures;

    public Backoff(long initialMillis, long maxMillis) {
        this.initial = initialMillis;
        this.max = maxMillis;
        this.next = initialMillis;
    }

    /** The delay before the next attempt after one more failure. */
    public long failed() {
        failures++;
        long delay = next;
        next = Math.min(max, next * 2);
        return delay;
    }

    public void succeeded() {
        failures = 0;
        next = initial;
    }

    public int failures() {
        return failures;
    }
}
