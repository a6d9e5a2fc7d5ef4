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
 */
public record EngineConfig(
        int backupCount,
        QueueType queueType,
        Duration printExecutionInfoInterval,
        SlotServiceConfig slotService,
        CheckpointConfig checkpoint) {

    /** A copy with another storage (for tests and tools that point one config elsewhere). */
    public EngineConfig withStorage(StorageConfig storage) {
        return new EngineConfig(
                backupCount,
                queueType,
                printExecutionInfoInterval,
                slotService,
                new CheckpointConfig(
                        checkpoint.interval(),
                        checkpoint.timeout(),
                        checkpoint.minPause(),
                        checkpoint.maxConcurrent(),
                        checkpoint.tolerableFailures(),
                        storage));
    }
}
