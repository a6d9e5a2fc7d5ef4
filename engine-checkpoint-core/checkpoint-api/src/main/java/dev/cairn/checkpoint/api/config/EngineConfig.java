package dev.cairn.checkpoint.api.config;

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
 * @param quorumSize the members a side of the cluster needs to run jobs; {@link #AUTO_QUORUM} for a
 *     majority of the members the cluster is expected to have
 * @param orphanTaskTimeout how long a task runs on after its member lost sight of the task's master
 *     (or its side lost its quorum) before it stops
 */
public record EngineConfig(
        int backupCount,
        QueueType queueType,
        Duration printExecutionInfoInterval,
        SlotServiceConfig slotService,
        CheckpointConfig checkpoint,
        HttpConfig http,
        int quorumSize,
        Duration orphanTaskTimeout) {

    /** {@code quorum-size: auto}: more than half of the members the cluster is expected to have. */
    public static final int AUTO_QUORUM = 0;

    /** With the default quorum and orphan timeout. */
    public EngineConfig(
            int backupCount,
            QueueType queueType,
            Duration printExecutionInfoInterval,
            SlotServiceConfig slotService,
            CheckpointConfig checkpoint,
            HttpConfig http) {
        this(
                backupCount,
                queueType,
                printExecutionInfoInterval,
                slotService,
                checkpoint,
                http,
                ConfigCatalogue.QUORUM_SIZE,
                ConfigCatalogue.ORPHAN_TASK_TIMEOUT);
    }

    /** A copy with other checkpoint settings (benchmarks run one configuration at several intervals). */
    public EngineConfig withCheckpoint(CheckpointConfig other) {
        return new EngineConfig(
                backupCount,
                queueType,
                printExecutionInfoInterval,
                slotService,
                other,
                http,
                quorumSize,
                orphanTaskTimeout);
    }

    /** {@code quorum-size} as written: {@code auto} or the number. */
    public String quorumSizeText() {
        return quorumSize == AUTO_QUORUM ? "auto" : Integer.toString(quorumSize);
    }
}
