package dev.cairn.checkpoint.api.config;

import java.time.Duration;

/**
 * The {@code seatunnel.engine} tree of {@code seatunnel.yaml}, validated: built by the kernel's
 * ConfigLoader from YAML, or in code by {@link #builder()}; {@link ConfigCatalogue} holds every default.
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
 * @param restart how a pipeline that keeps failing is restarted, and when the job gives up
 */
public record EngineConfig(
        int backupCount,
        QueueType queueType,
        Duration printExecutionInfoInterval,
        SlotServiceConfig slotService,
        CheckpointConfig checkpoint,
        HttpConfig http,
        int quorumSize,
        Duration orphanTaskTimeout,
        RestartPolicy restart) {

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
                ConfigCatalogue.ORPHAN_TASK_TIMEOUT,
                ConfigCatalogue.RESTART);
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
                orphanTaskTimeout,
                restart);
    }

    /** A copy with another restart policy. */
    public EngineConfig withRestart(RestartPolicy other) {
        return new EngineConfig(
                backupCount,
                queueType,
                printExecutionInfoInterval,
                slotService,
                checkpoint,
                http,
                quorumSize,
                orphanTaskTimeout,
                other);
    }

    /**
     * A configuration built in code, from the defaults: what {@code seatunnel.yaml} says, without
     * YAML. Each setter is named after its key.
     */
    public static Builder builder() {
        return new Builder(ConfigCatalogue.defaults());
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds an {@link EngineConfig}; {@link #build} checks every value and names the key of each bad one. */
    public static final class Builder {
        private EngineConfig c;
        private final java.util.List<String> problems = new java.util.ArrayList<>();

        private Builder(EngineConfig start) {
            this.c = start;
        }

        /** {@code backup-count}: 0 to 6. */
        public Builder backupCount(int n) {
            check(n >= 0 && n <= ConfigCatalogue.MAX_BACKUP_COUNT, "backup-count", "a whole number from 0 to 6", n);
            c = new EngineConfig(
                    n,
                    c.queueType,
                    c.printExecutionInfoInterval,
                    c.slotService,
                    c.checkpoint,
                    c.http,
                    c.quorumSize,
                    c.orphanTaskTimeout,
                    c.restart);
            return this;
        }

        /** {@code quorum-size}: at least 1, or {@link #AUTO_QUORUM}. */
        public Builder quorumSize(int n) {
            check(n >= 0, "quorum-size", "auto (0) or a positive number of members", n);
            c = new EngineConfig(
                    c.backupCount,
                    c.queueType,
                    c.printExecutionInfoInterval,
                    c.slotService,
                    c.checkpoint,
                    c.http,
                    n,
                    c.orphanTaskTimeout,
                    c.restart);
            return this;
        }

        /** {@code restart}. */
        public Builder restart(RestartPolicy policy) {
            c = c.withRestart(policy);
            return this;
        }

        /** {@code checkpoint.interval}. */
        public Builder checkpointInterval(java.time.Duration interval) {
            positive(interval, "checkpoint.interval");
            return checkpoint(k -> new CheckpointConfig(
                    interval,
                    k.timeout(),
                    k.minPause(),
                    k.maxConcurrent(),
                    k.tolerableFailures(),
                    k.storage(),
                    k.commitAfter(),
                    k.corruptCheckpoint()));
        }

        /** {@code checkpoint.timeout}. */
        public Builder checkpointTimeout(java.time.Duration timeout) {
            positive(timeout, "checkpoint.timeout");
            return checkpoint(k -> new CheckpointConfig(
                    k.interval(),
                    timeout,
                    k.minPause(),
                    k.maxConcurrent(),
                    k.tolerableFailures(),
                    k.storage(),
                    k.commitAfter(),
                    k.corruptCheckpoint()));
        }

        /** {@code checkpoint.tolerable-failures}. */
        public Builder tolerableFailures(int n) {
            check(n >= 0, "checkpoint.tolerable-failures", "zero or a positive whole number", n);
            return checkpoint(k -> new CheckpointConfig(
                    k.interval(),
                    k.timeout(),
                    k.minPause(),
                    k.maxConcurrent(),
                    n,
                    k.storage(),
                    k.commitAfter(),
                    k.corruptCheckpoint()));
        }

        /** {@code checkpoint.commit-after}. */
        public Builder commitAfter(CommitAfter when) {
            return checkpoint(k -> k.withCommitAfter(when));
        }

        /** {@code checkpoint.storage.type} and {@code plugin-config} (the plugin checks its keys when the engine opens it). */
        public Builder storage(String type, java.util.Map<String, String> pluginConfig) {
            check(type != null && !type.isBlank(), "checkpoint.storage.type", "a storage plugin's name", type);
            return checkpoint(k -> new CheckpointConfig(
                    k.interval(),
                    k.timeout(),
                    k.minPause(),
                    k.maxConcurrent(),
                    k.tolerableFailures(),
                    new StorageConfig(
                            type,
                            k.storage().maxRetained(),
                            pluginConfig,
                            k.storage().callTimeout()),
                    k.commitAfter(),
                    k.corruptCheckpoint()));
        }

        /** {@code checkpoint.storage.max-retained}. */
        public Builder maxRetained(int n) {
            check(n >= 1 && n <= 10_000, "checkpoint.storage.max-retained", "a whole number from 1 to 10000", n);
            return checkpoint(k -> new CheckpointConfig(
                    k.interval(),
                    k.timeout(),
                    k.minPause(),
                    k.maxConcurrent(),
                    k.tolerableFailures(),
                    new StorageConfig(
                            k.storage().type(),
                            n,
                            k.storage().pluginConfig(),
                            k.storage().callTimeout()),
                    k.commitAfter(),
                    k.corruptCheckpoint()));
        }

        private Builder checkpoint(java.util.function.UnaryOperator<CheckpointConfig> change) {
            c = c.withCheckpoint(change.apply(c.checkpoint));
            return this;
        }

        private void positive(java.time.Duration d, String key) {
            check(d != null && !d.isNegative() && !d.isZero(), key, "a positive duration", d);
        }

        private void check(boolean ok, String key, String what, Object value) {
            if (!ok) {
                problems.add("seatunnel.engine." + key + ": must be " + what + ", was " + value);
            }
        }

        /**
         * @throws IllegalArgumentException naming every bad value, with its key, at once
         */
        public EngineConfig build() {
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
            return c;
        }
    }

    /** {@code quorum-size} as written: {@code auto} or the number. */
    public String quorumSizeText() {
        return quorumSize == AUTO_QUORUM ? "auto" : Integer.toString(quorumSize);
    }
}
