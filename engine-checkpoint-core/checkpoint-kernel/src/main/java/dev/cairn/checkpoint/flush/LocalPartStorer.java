package dev.cairn.checkpoint.flush;

import dev.cairn.checkpoint.io.ChunksInputStream;
import dev.cairn.checkpoint.io.StorageCalls;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.store.CheckpointMemory;
import dev.cairn.checkpoint.store.HeldParts;
import dev.cairn.checkpoint.store.StateParts;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Stores parts from this process: each part from the bytes this process put, if it still holds
 * them ({@link HeldParts}), else read from the cluster's memory ({@link StateParts#chunksFromMemory},
 * verified) and stored from its chunks; in {@value #LANES} chains of one storage call per part. Not all at once: a job's storage calls in flight are bounded ({@link StorageCalls}),
 * and a checkpoint may name hundreds of parts.
 */
public final class LocalPartStorer implements PartStorer {
    /** Parts of one checkpoint stored at once. */
    static final int LANES = 2;

    private final CheckpointMemory memory;
    private final StorageCalls storage;

    public LocalPartStorer(CheckpointMemory memory, StorageCalls storage) {
        this.memory = memory;
        this.storage = storage;
    }

    @Override
    public CompletableFuture<Void> store(PipelineKey where, CompletedCheckpoint manifest) {
        List<Integer> ordinals = new ArrayList<>();
        List<TaskState> states = manifest.taskStates();
        for (int i = 0; i < states.size(); i++) {
            if (!states.get(i).inline()) {
                ordinals.add(i);
            }
        }
        return store(where, manifest, ordinals);
    }

    /** Stores the parts of the task states at {@code ordinals} of the manifest only. */
    public CompletableFuture<Void> store(PipelineKey where, CompletedCheckpoint manifest, List<Integer> ordinals) {
        PipelineKey pipeline = manifest.pipeline();
        long id = manifest.id().value();
        CompletableFuture<?>[] lanes = new CompletableFuture<?>[Math.min(LANES, ordinals.size())];
        for (int lane = 0; lane < lanes.length; lane++) {
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int i = lane; i < ordinals.size(); i += lanes.length) {
                int ordinal = ordinals.get(i);
                TaskState state = manifest.taskStates().get(ordinal);
                CheckpointId partId = FileLayout.partId(manifest.id(), ordinal);
                String what =
                        "store part " + partId + " (" + state.taskId() + ") of checkpoint " + id + " of " + pipeline;
                chain = chain.thenCompose(v -> storage.call(pipeline.jobId(), what, s -> {
                    byte[][] chunks = memory.heldParts()
                            .take(pipeline, id, state.taskId(), state.handle())
                            .map(part -> new byte[][] {part.prefix(), part.state()})
                            .orElse(null);
                    if (chunks == null) {
                        chunks = StateParts.chunksFromMemory(memory, pipeline, id, state);
                    }
                    s.store(FileLayout.partsOf(where), partId, new ChunksInputStream(chunks));
                    return null;
                }));
            }
            lanes[lane] = chain;
        }
        return CompletableFuture.allOf(lanes);
    }
}
