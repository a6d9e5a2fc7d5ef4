package dev.cairn.checkpoint.coordinator;

import java.util.concurrent.CompletionStage;

/**
 * Issues a pipeline's checkpoint ids: each higher than every id it issued before and than every
 * checkpoint the pipeline was restored from, across master failover and full cluster restart.
 */
public interface CheckpointIdCounter {
    CompletionStage<Long> next();
}
