package dev.cairn.checkpoint.api.config;

import java.time.Duration;
import java.util.Locale;

/**
 * How a pipeline that keeps failing is restarted ({@code seatunnel.engine.restart}), in the manner
 * of SeaTunnel's {@code job.retry.times} / {@code job.retry.interval.seconds} and Flink's restart
 * strategies. Counted: restarts after a task failure or after more failed checkpoints than {@code
 * tolerable-failures}; not counted: restarts because a member left (the cluster's doing, not the
 * job's). A checkpoint completed after a restart shows the pipeline healthy again: the count starts
 * over. Past {@code maxAttempts} restarts in a row the job ends {@code FAILED} with its last cause.
 *
 * @param strategy how the delay between restarts grows
 * @param maxAttempts restarts in a row a pipeline may make; one more failure fails the job
 * @param delay the wait before the first restart (and every one, with {@code fixed-delay})
 * @param maxDelay the longest wait, with {@code exponential-delay}
 */
public record RestartPolicy(Strategy strategy, int maxAttempts, Duration delay, Duration maxDelay) {

    public enum Strategy {
        /** The same {@code delay} before every restart. */
        FIXED_DELAY,
        /** {@code delay}, doubling with each restart in a row, up to {@code max-delay}. */
        EXPONENTIAL_DELAY;

        public String yamlName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Exponential, 1 s doubling to 1 min, 10 restarts in a row. */
    public static final RestartPolicy DEFAULT =
            new RestartPolicy(Strategy.EXPONENTIAL_DELAY, 10, Duration.ofSeconds(1), Duration.ofMinutes(1));

    public static RestartPolicy fixedDelay(int maxAttempts, Duration delay) {
        return new RestartPolicy(Strategy.FIXED_DELAY, maxAttempts, delay, delay);
    }

    public static RestartPolicy exponentialDelay(int maxAttempts, Duration delay, Duration maxDelay) {
        return new RestartPolicy(Strategy.EXPONENTIAL_DELAY, maxAttempts, delay, maxDelay);
    }

    public RestartPolicy {
        if (maxAttempts < 0) {
            throw new IllegalArgumentException("restart.max-attempts: must be 0 or more, was " + maxAttempts);
        }
        if (delay.isNegative() || maxDelay.compareTo(delay) < 0) {
            throw new IllegalArgumentException(
                    "restart.delay and max-delay: 0 <= delay <= max-delay, were " + delay + " and " + maxDelay);
        }
    }

    /** The wait before restart number {@code attempt} (1 for the first in a row). */
    public Duration delayBefore(int attempt) {
        if (strategy == Strategy.FIXED_DELAY || attempt <= 1) {
            return delay;
        }
        long millis = delay.toMillis();
        for (int i = 1; i < attempt && millis < maxDelay.toMillis(); i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, maxDelay.toMillis()));
    }
}
