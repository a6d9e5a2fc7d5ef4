package dev.cairn.checkpoint.api;

import java.util.Arrays;

/**
 * A histogram of durations in fixed buckets, as the statistics carry it: the count of each bucket
 * (not cumulative; the last one is everything above the highest bound) and the sum. Immutable;
 * {@link #plus(long)} and {@link #plus(LatencyHistogram)} make new ones, so a job's record can
 * carry it and a new master can continue it.
 *
 * @param counts one count per bucket of {@link #BOUNDS_MILLIS}, then the count above the last bound
 * @param sumMillis the sum of every duration counted
 */
public record LatencyHistogram(long[] counts, long sumMillis) {
    /**
     * Upper bounds (inclusive) of the buckets, in millis: from 5 ms (a small local checkpoint) to
     * 10 minutes (past the longest sensible {@code checkpoint.timeout}). Changing them changes what
     * every dashboard sees: add at the end only.
     */
    private static final long[] BOUNDS_MILLIS = {
        5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000
    };

    public static final LatencyHistogram EMPTY = new LatencyHistogram(new long[BOUNDS_MILLIS.length + 1], 0);

    public LatencyHistogram {
        if (counts.length != BOUNDS_MILLIS.length + 1) {
            // From a master with other buckets: its counts cannot be placed in these.
            counts = new long[BOUNDS_MILLIS.length + 1];
            sumMillis = 0;
        } else {
            counts = counts.clone();
        }
    }

    /** The bucket bounds in millis (a copy); {@link #counts()} has one entry more, for +Inf. */
    public static long[] boundsMillis() {
        return BOUNDS_MILLIS.clone();
    }

    /** A copy of the counts. */
    @Override
    public long[] counts() {
        return counts.clone();
    }

    /** How many durations were counted. */
    public long count() {
        return Arrays.stream(counts).sum();
    }

    /** This one with {@code millis} counted too. */
    public LatencyHistogram plus(long millis) {
        long[] next = counts.clone();
        int bucket = 0;
        while (bucket < BOUNDS_MILLIS.length && millis > BOUNDS_MILLIS[bucket]) {
            bucket++;
        }
        next[bucket]++;
        return new LatencyHistogram(next, sumMillis + Math.max(0, millis));
    }

    /** The two added up (a new master continues what its predecessor counted). */
    public LatencyHistogram plus(LatencyHistogram other) {
        long[] next = counts.clone();
        for (int i = 0; i < next.length; i++) {
            next[i] += other.counts[i];
        }
        return new LatencyHistogram(next, sumMillis + other.sumMillis);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LatencyHistogram h && h.sumMillis == sumMillis && Arrays.equals(h.counts, counts);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(counts) + Long.hashCode(sumMillis);
    }

    @Override
    public String toString() {
        return "LatencyHistogram" + Arrays.toString(counts) + " sum " + sumMillis + " ms";
    }
}
