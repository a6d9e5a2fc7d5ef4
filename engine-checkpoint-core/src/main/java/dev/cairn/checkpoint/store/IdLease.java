package dev.cairn.checkpoint.store;

import dev.cairn.checkpoint.coordinator.CheckpointIdCounter;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues a pipeline's checkpoint ids so that they only grow, across master failover (the count is
 * in the pipeline's record in the cluster, with its backups) and across a full cluster restart,
 * which loses that record: the storage holds a lease. Before the first id above the current lease
 * is issued, a marker naming the new upper bound, {@value #BLOCK} ids further, is stored under
 * {@link FileLayout#idsOf}. A cluster that lost its memory finds the marker when the pipeline
 * starts ({@link #recover}) and issues only ids above it: never again an id the lost cluster may
 * have used, even one whose checkpoint completed in memory only and never reached storage (a
 * sink that commits by checkpoint id would otherwise see the same id twice).
 *
 * <p>Costs one storage write per {@value #BLOCK} ids, on the trigger path of that one checkpoint.
 * While the storage cannot take the write, no id above the lease is issued: triggers wait, as
 * they do for a full flush backlog. After a full restart the ids jump by up to {@value #BLOCK}.
 */
public final class IdLease implements CheckpointIdCounter {
    private static final Logger LOG = LoggerFactory.getLogger(IdLease.class);

    /** How many ids one lease extension covers. */
    public static final long BLOCK = 100;

    private static final int ATTEMPTS = 3;

    private final PipelineSnapshots snapshots;
    private final CheckpointStorage storage;
    private final Executor io;
    private final PipelineKey where;

    public IdLease(PipelineSnapshots snapshots, CheckpointStorage storage, Executor io) {
        this.snapshots = snapshots;
        this.storage = storage;
        this.io = io;
        this.where = FileLayout.idsOf(snapshots.pipeline());
    }

    /**
     * At the start of an execution attempt: if the storage holds a lease this cluster does not
     * know of, the ids up to it are taken as issued. Blocking.
     */
    public void recover() throws CheckpointStorageException {
        List<CheckpointId> leases = storage.list(where);
        if (!leases.isEmpty()) {
            snapshots.leaseFoundInStorage(leases.get(leases.size() - 1).value());
        }
    }

    @Override
    public CompletionStage<Long> next() {
        return CompletableFuture.supplyAsync(this::issue, io);
    }

    private long issue() {
        for (int attempt = 1; ; attempt++) {
            try {
                return snapshots.issueWithinLease();
            } catch (PipelineSnapshots.LeaseExhausted e) {
                if (attempt == ATTEMPTS) {
                    throw e; // another writer keeps moving the count: the coordinator retries later
                }
                extend(e.record.lastIssuedId() + BLOCK);
            }
        }
    }

    /** Stores a lease up to {@code upTo}, then lets the record issue up to it; drops older leases. */
    private void extend(long upTo) {
        CheckpointId id = CheckpointId.of(upTo);
        byte[] note = ("checkpoint ids up to " + upTo + " of " + snapshots.pipeline() + " may have been issued\n")
                .getBytes(StandardCharsets.US_ASCII);
        try {
            storage.store(where, id, new ByteArrayInputStream(note));
        } catch (CheckpointStorageException e) {
            throw new CompletionException(new CheckpointStorageException(
                    "cannot store the checkpoint id lease up to " + upTo + " of " + snapshots.pipeline() + ": "
                            + e.getMessage(),
                    e));
        }
        snapshots.leased(upTo);
        try {
            for (CheckpointId older : storage.list(where)) {
                if (older.value() < upTo) {
                    storage.delete(where, older);
                }
            }
        } catch (CheckpointStorageException e) {
            LOG.debug("Cannot drop older id leases of {}; the highest counts", snapshots.pipeline(), e);
        }
    }
}
