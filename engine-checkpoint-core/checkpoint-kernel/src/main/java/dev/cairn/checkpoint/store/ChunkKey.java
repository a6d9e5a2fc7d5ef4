package dev.cairn.checkpoint.store;

import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.Objects;

/**
 * One chunk of a task's part ({@link dev.cairn.checkpoint.snapshot.PartCodec}) in the cluster's
 * memory.
 *
 * @param pipeline the job and pipeline
 * @param id the checkpoint
 * @param taskId the task whose state the part holds
 * @param n the chunk's index in the part
 * @param placement where the memory put it, as the {@link
 *     dev.cairn.checkpoint.snapshot.StateHandle} records
 */
public record ChunkKey(PipelineKey pipeline, long id, String taskId, int n, int placement) {
    public ChunkKey {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(taskId, "taskId");
    }
}
