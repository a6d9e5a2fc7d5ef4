package dev.cairn.checkpoint.config;

import java.time.Duration;

/**
 * The {@code seatunnel.engine} tree of {@code seatunnel.yaml}, validated. Built by {@link
 * ConfigLoader}; {@link ConfigCatalogue} holds every default.
 *
 * @param backupCount synchronous backups of every Cairn IMap entry (0 to 6)
 * @param queueType how tasks exchange records
 * @param printExecutionInfoInterval how often the master logs one status line per job
 * @param slotService how members offer task slots
 * @param checkpoint checkpointing and its storage
 * @param http the statistics endpoint
 */
public record EngineConfig(
        int backupCount,
        QueueType queueType,
        Duration printExecutionInfoInterval,
        SlotServiceConfig slotService,
        CheckpointConfig checkpoint,
        HttpConfig http) {

    /** A copy with other checkpoint settings (benchmarks run one configuration at several intervals). */
    public EngineConfig withCheckpoint(CheckpointConfig other) {
        return new EngineConfig(backupCount, queueType, printExecutionInfoInterval, slotService, other, http);
    }
}
