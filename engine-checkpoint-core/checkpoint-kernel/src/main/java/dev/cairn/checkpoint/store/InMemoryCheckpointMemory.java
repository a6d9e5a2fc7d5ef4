package dev.cairn.checkpoint.store;

import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
    private final HeldParts heldParts;

    /** A memory from which every part is read back to be stored. */
    public InMemoryCheckpointMemory() {
        this(HeldParts.NONE);
    }

    /** A memory whose writer keeps the parts it puts in {@code heldParts}, to store them from. */
    public InMemoryCheckpointMemory(HeldParts heldParts) {
        this.heldParts = heldParts;
    }

    @Override
    public HeldParts heldParts() {
        return heldParts;
    }

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

    @Override
    public CompletionStage<Void> putChunk(ChunkKey key, byte[] chunk) {
        blobs.put(chunkKey(key), chunk);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public Optional<byte[]> getChunk(ChunkKey key) {
        return Optional.ofNullable(blobs.get(chunkKey(key)));
    }

    @Override
    public void deleteChunks(PipelineKey pipeline, long id) {
        String prefix = key(pipeline, id) + "/";
        blobs.keySet().removeIf(k -> k.startsWith(prefix));
    }

    @Override
    public void deleteChunks(java.util.Collection<ChunkKey> keys) {
        keys.forEach(k -> blobs.remove(chunkKey(k)));
    }

    @Override
    public Set<Long> chunkedIds(PipelineKey pipeline) {
        String prefix = pipeline.jobId().value() + "/" + pipeline.pipeline() + "/";
        Set<Long> ids = new TreeSet<>();
        for (String k : blobs.keySet()) {
            if (k.startsWith(prefix) && k.indexOf('/', prefix.length()) > 0) {
                ids.add(Long.parseLong(k.substring(prefix.length(), k.indexOf('/', prefix.length()))));
            }
        }
        return ids;
    }

    private static String chunkKey(ChunkKey key) {
        return key(key.pipeline(), key.id()) + "/" + key.taskId() + "/" + key.n();
    }

    /** The checkpoints held, for tests: {@code job/pipeline/id}. */
    public java.util.Set<String> held() {
        return blobs.keySet().stream()
                .filter(k -> k.chars().filter(c -> c == '/').count() == 2)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    private static String key(PipelineKey pipeline, long id) {
        return pipeline.jobId().value() + "/" + pipeline.pipeline() + "/" + id;
    }
}
