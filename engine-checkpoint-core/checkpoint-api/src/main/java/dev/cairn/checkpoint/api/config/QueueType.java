package dev.cairn.checkpoint.api.config;

/** How tasks of a pipeline hand records to each other ({@code seatunnel.engine.queue-type}). */
public enum QueueType {
    /** A bounded {@link java.util.concurrent.ArrayBlockingQueue} per channel. */
    BLOCKINGQUEUE,
    /** A bounded lock-free single-producer ring per channel. */
    DISRUPTOR;

    public String yamlName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
