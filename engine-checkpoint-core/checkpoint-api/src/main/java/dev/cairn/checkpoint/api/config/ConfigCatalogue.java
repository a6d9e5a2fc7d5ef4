package dev.cairn.checkpoint.api.config;

import java.time.Duration;
import java.util.Map;

/**
 * Every default of {@code seatunnel.yaml}, in one place. {@code config/seatunnel.yaml} repeats
 * them with their meaning; a test keeps the two equal.
 */
public final class ConfigCatalogue {
    public static final int BACKUP_COUNT = 1;
    public static final int MAX_BACKUP_COUNT = 6; // Hazelcast's limit
    public static final QueueType QUEUE_TYPE = QueueType.BLOCKINGQUEUE;
    public static final Duration PRINT_EXECUTION_INFO_INTERVAL = Duration.ofSeconds(60);
    public static final boolean DYNAMIC_SLOT = true;
    public static final int SLOT_NUM = 2;
    /** A majority of the members the cluster is expected to have. */
    public static final int QUORUM_SIZE = EngineConfig.AUTO_QUORUM;
    /**
     * Ten seconds: several heartbeats, so that a slow network does not stop tasks, and short enough
     * that a partitioned member stops long before anyone looks.
     */
    public static final Duration ORPHAN_TASK_TIMEOUT = Duration.ofSeconds(10);
    /** Exponential, 1 s doubling to 1 min, 10 restarts in a row: bounded, and never a hot loop. */
    public static final RestartPolicy RESTART = RestartPolicy.DEFAULT;

    public static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(300_000);
    public static final Duration CHECKPOINT_TIMEOUT = Duration.ofMillis(30_000);
    public static final Duration CHECKPOINT_MIN_PAUSE = Duration.ZERO;
    public static final int CHECKPOINT_MAX_CONCURRENT = 1;
    public static final int CHECKPOINT_TOLERABLE_FAILURES = 0;
    /** Sinks commit only what is in storage: exactly-once across any failure, a full restart too. */
    public static final CommitAfter COMMIT_AFTER = CommitAfter.STORAGE;
    /** Restore the newest usable checkpoint, saying which output may repeat. */
    public static final CorruptCheckpointPolicy CORRUPT_CHECKPOINT = CorruptCheckpointPolicy.FALL_BACK;
    /**
     * 1 MiB: a source's offsets or a sink's open transactions travel to the master in their
     * acknowledgement as before; a larger state (a window, a join's table) stays on its member.
     * Lower, each part's own storage object and fsync cost more than the trip through the master
     * saves (measured by {@code bench checkpoint --only scaling}).
     */
    public static final int INLINE_STATE_LIMIT = 1 << 20;

    public static final boolean HTTP_ENABLED = false;
    public static final String HTTP_HOST = "127.0.0.1";
    public static final int HTTP_PORT = 8080;

    /** The hdfs plugin, whose own default {@code storage.type} is the local disk. */
    public static final String STORAGE_TYPE = "hdfs";
    /**
     * Three, not SeaTunnel's one: a corrupt newest checkpoint (a flipped bit on disk) then still
     * leaves older ones to recover from.
     */
    public static final int MAX_RETAINED = 3;
    /**
     * One storage call that has not answered after this long counts as failed and is retried. A
     * minute: far above a healthy call, even of a large checkpoint over a slow link, and short
     * enough that a hung mount or a black-holed endpoint is reported while people still look.
     */
    public static final Duration STORAGE_CALL_TIMEOUT = Duration.ofSeconds(60);

    private ConfigCatalogue() {}

    /** The configuration of an empty {@code seatunnel.yaml}. */
    public static EngineConfig defaults() {
        return new EngineConfig(
                BACKUP_COUNT,
                QUEUE_TYPE,
                PRINT_EXECUTION_INFO_INTERVAL,
                new SlotServiceConfig(DYNAMIC_SLOT, SLOT_NUM),
                new CheckpointConfig(
                        CHECKPOINT_INTERVAL,
                        CHECKPOINT_TIMEOUT,
                        CHECKPOINT_MIN_PAUSE,
                        CHECKPOINT_MAX_CONCURRENT,
                        CHECKPOINT_TOLERABLE_FAILURES,
                        new StorageConfig(STORAGE_TYPE, MAX_RETAINED, Map.of(), STORAGE_CALL_TIMEOUT),
                        COMMIT_AFTER,
                        CORRUPT_CHECKPOINT,
                        INLINE_STATE_LIMIT),
                new HttpConfig(HTTP_ENABLED, HTTP_HOST, HTTP_PORT),
                QUORUM_SIZE,
                ORPHAN_TASK_TIMEOUT,
                RESTART);
    }
}
