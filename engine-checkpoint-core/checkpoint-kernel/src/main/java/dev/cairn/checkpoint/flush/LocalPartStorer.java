package dev.cairn.checkpoint.flush;

import dev.cairn.checkpoint.io.ChunksInputStream;
import dev.cairn.checkpoint.io.StorageCalls;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.PartCodec;
import dev.cairn.checkpoint.snapshot.StateHandle;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.store.CheckpointMemory;
import dev.cairn.checkpoint.store.HeldParts;
import dev.cairn.checkpoint.store.StateParts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores parts from this process: each part from the bytes this process put, if it still holds
 * them ({@link HeldParts}) and they still have their checksum, else read from the cluster's memory
 * ({@link StateParts#chunksFromMemory}, verified) and stored from its chunks; in {@value #LANES}
 * chains of one storage call per part. Not all at once: a job's storage calls in flight are
 * bounded ({@link StorageCalls}), and a checkpoint may name hundreds of parts.
 */
public final class LocalPartStorer implements PartStorer {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPartStorer.class);

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
                    PipelineKey parts = FileLayout.partsOf(where);
                    Optional<PartCodec.Framed> held =
                            memory.heldParts().take(pipeline, id, state.taskId(), state.handle());
                    if (held.isPresent()) {
                        CheckedPart checked = new CheckedPart(held.get(), state.handle());
                        try {
                            s.store(parts, partId, checked);
                            return null;
                        } catch (CheckpointStorageException e) {
                            if (!checked.changed()) {
                                // held again for the retry, as far as its limits let it
                                memory.heldParts().hold(pipeline, id, state.taskId(), held.get());
                                throw e;
                            }
                            LOG.warn(
                                    "The state {} gave for checkpoint {} of {} changed after it was taken: its"
                                            + " operator returned an array it goes on writing into. Storing the copy"
                                            + " the cluster's memory holds",
                                    state.taskId(),
                                    id,
                                    pipeline);
                        }
                    }
                    byte[][] chunks = StateParts.chunksFromMemory(memory, pipeline, id, state);
                    s.store(parts, partId, new ChunksInputStream(chunks));
                    return null;
                }));
            }
            lanes[lane] = chain;
        }
        return CompletableFuture.allOf(lanes);
    }

    /**
     * A held part as a stream that checks, as it hands its bytes on, that they still have the
     * checksum its handle names: it checksums the very bytes it hands on (copies of the task's
     * array, which its operator might change meanwhile) and, if they differ, fails before the
     * stream ends (in {@link #read}, instead of returning the last bytes; in {@link #transferTo},
     * before returning), so no store of other bytes completes: a store whose source fails leaves
     * nothing, as the storage contract says. {@link #transferTo} hands them on in 1 MiB slices,
     * so that the storage writes them in a few large calls.
     */
    static final class CheckedPart extends InputStream {
        private static final int SLICE = 1 << 20;

        private final PartCodec.Framed part;
        private final int expected;
        private final CRC32C crc = new CRC32C();
        private long at;
        private volatile boolean changed;

        CheckedPart(PartCodec.Framed part, StateHandle handle) {
            this.part = part;
            this.expected = handle.crc32c();
        }

        /** Whether the bytes were found to differ from the handle's checksum. */
        boolean changed() {
            return changed;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (at == part.size()) {
                return -1;
            }
            int n = (int) Math.min(len, part.size() - at);
            part.copyTo(at, b, off, n);
            int header = (int) Math.max(0, Math.min(n, PartCodec.HEADER_SIZE - at));
            crc.update(b, off + header, n - header); // the checksum covers the payload only
            at += n;
            if (at == part.size()) {
                check(); // before the last bytes are handed on
            }
            return n;
        }

        @Override
        public long transferTo(OutputStream out) throws IOException {
            long from = at;
            byte[] slice = new byte[(int) Math.min(SLICE, Math.max(1, part.size() - at))];
            for (int n; (n = read(slice, 0, slice.length)) > 0; ) {
                out.write(slice, 0, n);
            }
            return at - from;
        }

        private void check() throws IOException {
            if ((int) crc.getValue() != expected) {
                changed = true;
                throw new IOException("the part's bytes no longer have the checksum their handle names");
            }
        }
    }
}
