package dev.cairn.checkpoint.store;

import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * A {@link CheckpointMemory} in this process's heap, for an engine that embeds the kernel on one
 * machine (and for tests): what it holds dies with the process, so after a restart a pipeline
 * restores from the storage, exactly as a cluster does after losing all its members.
 */
public final class InMemoryCheckpointMemory implements CheckpointMemory {
    private final Map<PipelineKey, PipelineRecord> records = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();

    @Override
    public PipelineRecord record(PipelineKey pipeline) {
        return records.getOrDefault(pipeline, PipelineRecord.EMPTY);
    }

    @Override
    public PipelineRecord update(PipelineKey pipeline, UnaryOperator<PipelineRecord> change) {
        return records.compute(pipeline, (k, old) -> change.apply(old == null ? PipelineRecord.EMPTY : old));
    }

    @Override
    public void put(PipelineKey pipeline, long id, byte[] blob) {
        blobs.put(key(pipeline, id), blob);
    }

    @Override
    public Optional<byte[]> get(PipelineKey pipeline, long id) {
        return Optional.ofNullable(blobs.get(key(pipeline, id)));
    }

    @Override
    public void delete(PipelineKey pipeline, long id) {
        blobs.remove(key(pipeline, id));
    }

    @Override
    public void remove(PipelineKey pipeline) {
        String prefix = pipeline.jobId().value() + "/" + pipeline.pipeline() + "/";
        blobs.keySet().removeIf(k -> k.startsWith(prefix));
        records.remove(pipeline);
    }

    /** The checkpoints held, for tests: {@code job/pipeline/id}. */
    public java.util.Set<String> held() {
        return java.util.Set.copyOf(blobs.keySet());
    }

    private static String key(PipelineKey pipeline, long id) {
        return pipeline.jobId().value() + "/" + pipeline.pipeline() + "/" + id;
    }
}
