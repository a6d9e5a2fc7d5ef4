package dev.cairn.checkpoint.coordinator;

import dev.cairn.checkpoint.api.config.CheckpointConfig;

/**
 * When the next checkpoint may be triggered: {@code interval} after the last trigger, {@code
 * min-pause} after the last checkpoint ended, never more than {@code max-concurrent} in flight. The
 * storage never holds a trigger back: the flusher keeps memory bounded by writing only the newest
 * checkpoint when it falls behind. A pure function of its inputs.
 */
final class TriggerPolicy {
    /** Not now and no time known: re-asked when something changes (an end, a savepoint request). */
    static final long WAIT = Long.MAX_VALUE;

    private final long interval;
    private final long minPause;
    private final int maxConcurrent;

    TriggerPolicy(CheckpointConfig config) {
        this.interval = config.interval().toMillis();
        this.minPause = config.minPause().toMillis();
        this.maxConcurrent = config.maxConcurrent();
    }

    /**
     * When to trigger, in epoch millis ({@code <= now}: now), or {@link #WAIT}.
     *
     * @param lastTriggeredAt epoch millis of the last trigger, or of the start if none yet
     * @param lastEndedAt when the last checkpoint completed or failed, or {@link Long#MIN_VALUE}
     * @param urgent a final checkpoint or a savepoint is wanted: the interval does not apply
     */
    long next(long now, long lastTriggeredAt, long lastEndedAt, int inFlight, boolean urgent) {
        if (inFlight >= maxConcurrent) {
            return WAIT;
        }
        long afterPause = lastEndedAt == Long.MIN_VALUE ? now : lastEndedAt + minPause;
        if (urgent) {
            return Math.max(now, afterPause);
        }
        long afterInterval = lastTriggeredAt + interval;
        return Math.max(afterInterval, afterPause);
    }
}
