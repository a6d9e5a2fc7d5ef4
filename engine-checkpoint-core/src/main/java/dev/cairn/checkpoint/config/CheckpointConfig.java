package dev.cairn.checkpoint.config;

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
 */
public record CheckpointConfig(
        Duration interval,
        Duration timeout,
        Duration minPause,
        int maxConcurrent,
        int tolerableFailures,
        StorageConfig storage) {}
