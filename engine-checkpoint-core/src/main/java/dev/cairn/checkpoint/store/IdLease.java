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
 * {@link FileLayout#idsOf}. A cluster that lost its memory finds the marker when it first needs a
 * lease and issues only ids above it: never again an id the lost cluster may have used, even one
 * whose checkpoint completed in memory only and never reached storage (a sink that commits by
 * checkpoint id would otherwise see the same id twice). Nothing else reads the storage for ids:
 * a restart that recovers from the cluster's memory does not need the storage to answer.
 *
 * <p>Costs one storage write per {@value #BLOCK} ids, on the trigger path of that one checkpoint.
 * While the storage cannot take the write, no id above the lease is issued: triggers wait, as
 * they do for a full flush backlog. After a full restart the ids jump by up to {@value #BLOCK}.
 */
public final class IdLease implements CheckpointIdCounter {
    private static final Logger LOG = LoggerFactory.getLogger(IdLease.class);

    /** How many ids one lease extension covers. */
    public static final long BLOCK = 100;

    /** Found a forgotten lease, then extended it, then issued: three; one more for a race. */
    private static final int ATTEMPTS = 4;

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
                extend(e.record);
            }
        }
    }

    /**
     * Stores a lease {@value #BLOCK} ids above the last issued one, then lets the record issue up to
     * it, and drops older leases. But if the storage holds a higher lease than {@code seen} knows
     * of (this cluster lost its memory), the ids up to that one are taken as issued instead.
     */
    private void extend(PipelineRecord seen) {
        List<CheckpointId> stored;
        try {
            stored = storage.list(where);
        } catch (CheckpointStorageException e) {
            throw refused("read the checkpoint id lease", e);
        }
        long highest = stored.isEmpty() ? 0 : stored.get(stored.size() - 1).value();
        if (highest > seen.leasedUpTo()) {
            snapshots.leaseFoundInStorage(highest);
            return;
        }
        long upTo = seen.lastIssuedId() + BLOCK;
        byte[] note = ("checkpoint ids up to " + upTo + " of " + snapshots.pipeline() + " may have been issued\n")
                .getBytes(StandardCharsets.US_ASCII);
        try {
            storage.store(where, CheckpointId.of(upTo), new ByteArrayInputStream(note));
        } catch (CheckpointStorageException e) {
            throw refused("store the checkpoint id lease up to " + upTo, e);
        }
        snapshots.leased(upTo);
        try {
            for (CheckpointId older : stored) {
                storage.delete(where, older);
            }
        } catch (CheckpointStorageException e) {
            LOG.debug("Cannot drop older id leases of {}; the highest counts", snapshots.pipeline(), e);
        }
    }

    private CompletionException refused(String what, CheckpointStorageException e) {
        return new CompletionException(new CheckpointStorageException(
                "cannot " + what + " of " + snapshots.pipeline() + ": " + e.getMessage(), e));
    }
}
