package dev.cairn.checkpoint.api.config;

import java.time.Duration;

/**
 * {@code seatunnel.engine.checkpoint}.
 *
 * @param interval how often a pipeline's coordinator triggers a checkpoint
 * @param timeout how long a triggered checkpoint may take before it is aborted
 * @param minPause the least time between the end of one checkpoint and the next trigger
 * @param maxConcurrent how many checkpoints of a pipeline may be in flight at once
 * @param tolerableFailures how many consecutive failed checkpoints a pipeline survives before it
 *     fails over to its last completed checkpoint
 * @param storage where completed checkpoints are persisted
 * @param commitAfter when sinks commit: once a checkpoint is stored, or once it is completed in
 *     the cluster's memory
 * @param corruptCheckpoint what a restore does when the newest checkpoint is unusable
 * @param inlineStateLimit the largest task state, in bytes, that travels to the master in its
 *     acknowledgement; a larger one stays on the task's member, in chunks, and is stored by the
 *     member that holds it
 */
public record CheckpointConfig(
        Duration interval,
        Duration timeout,
        Duration minPause,
        int maxConcurrent,
        int tolerableFailures,
        StorageConfig storage,
        CommitAfter commitAfter,
        CorruptCheckpointPolicy corruptCheckpoint,
        int inlineStateLimit) {

    /** With the default {@code inline-state-limit}. */
    public CheckpointConfig(
            Duration interval,
            Duration timeout,
            Duration minPause,
            int maxConcurrent,
            int tolerableFailures,
            StorageConfig storage,
            CommitAfter commitAfter,
            CorruptCheckpointPolicy corruptCheckpoint) {
        this(
                interval,
                timeout,
                minPause,
                maxConcurrent,
                tolerableFailures,
                storage,
                commitAfter,
                corruptCheckpoint,
                ConfigCatalogue.INLINE_STATE_LIMIT);
    }

    /** With the default {@code commit-after} and {@code corrupt-checkpoint}. */
    public CheckpointConfig(
            Duration interval,
            Duration timeout,
            Duration minPause,
            int maxConcurrent,
            int tolerableFailures,
            StorageConfig storage) {
        this(
                interval,
                timeout,
                minPause,
                maxConcurrent,
                tolerableFailures,
                storage,
                ConfigCatalogue.COMMIT_AFTER,
                ConfigCatalogue.CORRUPT_CHECKPOINT);
    }

    public CheckpointConfig withCommitAfter(CommitAfter other) {
        return new CheckpointConfig(
                interval,
                timeout,
                minPause,
                maxConcurrent,
                tolerableFailures,
                storage,
                other,
                corruptCheckpoint,
                inlineStateLimit);
    }

    public CheckpointConfig withInlineStateLimit(int bytes) {
        return new CheckpointConfig(
                interval,
                timeout,
                minPause,
                maxConcurrent,
                tolerableFailures,
                storage,
                commitAfter,
                corruptCheckpoint,
                bytes);
    }
}
