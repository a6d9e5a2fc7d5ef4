package dev.cairn.checkpoint.flush;

import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.concurrent.CompletableFuture;

/**
 * Stores the parts a manifest names, before the flusher stores the manifest: each as checkpoint
 * {@link FileLayout#partId}{@code (id, n)} of {@link FileLayout#partsOf}{@code (where)}. Who reads
 * the chunks and writes them is the storer's choice: the cluster has each member store the parts
 * it holds ({@code ClusterPartStorer}); {@link LocalPartStorer} stores them from this process.
 */
public interface PartStorer {
    /**
     * Completes once every part {@code manifest} names is stored; exceptionally if one is not (the
     * flusher retries the whole write), with a {@link
     * dev.cairn.checkpoint.snapshot.SnapshotFormatException} of reason {@code MISSING_PART} as the
     * cause if a part is gone from the cluster's memory for good.
     */
    CompletableFuture<Void> store(PipelineKey where, CompletedCheckpoint manifest);
}
