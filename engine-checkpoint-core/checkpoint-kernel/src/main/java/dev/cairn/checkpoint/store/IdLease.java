package dev.cairn.checkpoint.store;

import dev.cairn.checkpoint.coordinator.CheckpointIdCounter;
import dev.cairn.checkpoint.io.StorageCalls;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pipeline master's hold on the pipeline, kept in the storage: the lease on checkpoint ids and
 * the master's epoch, which is also its fence. The storage is what every member reaches, on both
 * sides of a network partition and across a full cluster restart, so it is the arbiter.
 *
 * <p><b>Layout.</b> Markers under {@link FileLayout#idsOf} (pipeline {@code P.ids}): a marker's id
 * is the highest checkpoint id its master may issue, its text names that master's epoch ({@code
 * epoch 3}). Markers written before epochs existed name none: epoch 0.
 *
 * <p><b>Claim.</b> A master that takes a pipeline (a new job, a takeover, a resubmission after a
 * full restart) reads the highest marker {@code M} and its epoch {@code e}, stores a marker {@code
 * M + 2 x BLOCK} of epoch {@code e + 1}, then lists again. Its ids start above every other marker
 * it then sees. The master it supersedes stores a marker before it issues ids from it and lists
 * again afterwards, and stops if it sees a higher one (see below): of two such write-then-read
 * exchanges at least one sees the other's marker, so either the new master starts above the old
 * one's last block, or the old master sees the claim and issues nothing from that block. Ids never
 * collide between epochs, and ids only grow, across master changes and full restarts (they jump
 * by up to {@code 2 x BLOCK} at each claim).
 *
 * <p><b>Fence.</b> A master is deposed once a marker above its own lease exists. It learns so when
 * it extends its lease, and before every commit and every retention pass ({@link #verify}): a
 * deposed master commits nothing and deletes nothing. A store it had under way when the claim came
 * may still land; its id is below every id of the new epoch, so it is never the newest once the
 * new master has stored its first checkpoint, and retention of the new epoch removes it.
 *
 * <p>Costs a storage list per commit, and a write per {@value #BLOCK} ids.
 */
public final class IdLease implements CheckpointIdCounter {
    private static final Logger LOG = LoggerFactory.getLogger(IdLease.class);

    /** How many ids one lease extension covers. */
    public static final long BLOCK = 100;

    /** Issued within the lease, extended, issued: two; more for a race with a concurrent update. */
    private static final int ATTEMPTS = 4;

    private static final Pattern EPOCH = Pattern.compile("^epoch (\\d+)");

    private final PipelineSnapshots snapshots;
    private final StorageCalls storage;
    private final Executor io;
    private final PipelineKey where;

    // ---- written by the claim and extensions (one at a time: the coordinator asks for one id at a
    // time), read by verify() on any thread
    private volatile long epoch;
    /** The lease this master holds in storage. */
    private volatile long leasedUpTo;
    /** The highest marker this master has tried to store: its own, even if the try timed out. */
    private volatile long extending;

    public IdLease(PipelineSnapshots snapshots, StorageCalls storage, Executor io) {
        this.snapshots = snapshots;
        this.storage = storage;
        this.io = io;
        this.where = FileLayout.idsOf(snapshots.pipeline());
    }

    /** What a claim gave this master. */
    public record Claim(long epoch, long firstId, long leasedUpTo) {}

    /**
     * Claims the pipeline for a new epoch, in storage and then in the pipeline's record. Completes
     * exceptionally if the storage cannot be reached or a newer master claimed it meanwhile ({@link
     * DeposedException}).
     */
    public CompletableFuture<Claim> claim() {
        return storage.call(snapshots.pipeline().jobId(), "claim " + snapshots.pipeline(), this::claimIn)
                .thenApplyAsync(
                        claim -> {
                            snapshots.claimed(claim.epoch(), claim.firstId() - 1, claim.leasedUpTo());
                            epoch = claim.epoch();
                            leasedUpTo = claim.leasedUpTo();
                            extending = claim.leasedUpTo();
                            LOG.info(
                                    "{}: master epoch {}; checkpoint ids from {}",
                                    snapshots.pipeline(),
                                    claim.epoch(),
                                    claim.firstId());
                            dropBelow(claim.leasedUpTo());
                            return claim;
                        },
                        io);
    }

    private Claim claimIn(CheckpointStorage s) throws CheckpointStorageException {
        List<CheckpointId> before = s.list(where);
        long highest = before.isEmpty() ? 0 : before.get(before.size() - 1).value();
        long newEpoch = 1 + (highest == 0 ? 0 : epochOf(s, highest));
        long upTo = highest + 2 * BLOCK;
        s.store(where, CheckpointId.of(upTo), note(newEpoch, upTo));
        long floor = highest;
        for (CheckpointId other : s.list(where)) {
            if (other.value() > upTo) {
                throw new DeposedException(snapshots.pipeline() + ": another master claimed the pipeline (lease "
                        + other.value() + ") while this one did");
            }
            if (other.value() != upTo) {
                floor = Math.max(floor, other.value());
            }
        }
        return new Claim(newEpoch, floor + 1, upTo);
    }

    /** The epoch a marker names; 0 for a marker from before epochs, or one that is gone or unreadable. */
    private long epochOf(CheckpointStorage s, long marker) throws CheckpointStorageException {
        Optional<byte[]> text = s.load(where, CheckpointId.of(marker));
        if (text.isEmpty()) {
            return 0;
        }
        Matcher m = EPOCH.matcher(new String(text.get(), StandardCharsets.US_ASCII));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private ByteArrayInputStream note(long markerEpoch, long upTo) {
        return new ByteArrayInputStream(("epoch " + markerEpoch + "\ncheckpoint ids up to " + upTo + " of "
                        + snapshots.pipeline() + " may have been issued by this master or an older one\n")
                .getBytes(StandardCharsets.US_ASCII));
    }

    public long epoch() {
        return epoch;
    }

    @Override
    public CompletionStage<Long> next() {
        return CompletableFuture.supplyAsync(this::issue, io)
                .thenCompose(id -> id >= 0 ? done(id) : extendThenIssue(1));
    }

    private static CompletableFuture<Long> done(long id) {
        return CompletableFuture.completedFuture(id);
    }

    /** The next id, or -1 if the lease must be extended first. */
    private long issue() {
        try {
            return snapshots.issueWithinLease();
        } catch (PipelineSnapshots.LeaseExhausted e) {
            return -1;
        }
    }

    private CompletableFuture<Long> extendThenIssue(int attempt) {
        long upTo = leasedUpTo + BLOCK;
        // An earlier try that timed out may have stored its marker after all: it is ours.
        long mine = Math.max(upTo, extending);
        extending = mine;
        return storage.call(
                        snapshots.pipeline().jobId(),
                        "extend the checkpoint id lease of " + snapshots.pipeline(),
                        s -> {
                            ensureNotDeposed(s.list(where), mine);
                            s.store(where, CheckpointId.of(upTo), note(epoch, upTo));
                            ensureNotDeposed(s.list(where), mine);
                            return upTo;
                        })
                .thenApplyAsync(
                        extended -> {
                            snapshots.leased(extended);
                            leasedUpTo = extended;
                            dropBelow(extended);
                            return issue();
                        },
                        io)
                .thenCompose(id -> {
                    if (id >= 0) {
                        return done(id);
                    }
                    if (attempt == ATTEMPTS) {
                        throw new CompletionException(new IllegalStateException(
                                "the checkpoint id lease of " + snapshots.pipeline() + " keeps running out"));
                    }
                    return extendThenIssue(attempt + 1);
                });
    }

    /**
     * Completes normally while this master still holds the pipeline; exceptionally with a {@link
     * DeposedException} once a newer master has claimed it, or with the storage's error.
     */
    public CompletableFuture<Void> verify() {
        return storage.call(snapshots.pipeline().jobId(), "check the master epoch of " + snapshots.pipeline(), s -> {
            ensureNotDeposed(s.list(where), Math.max(leasedUpTo, extending));
            return null;
        });
    }

    private void ensureNotDeposed(List<CheckpointId> markers, long mine) {
        long highest = markers.isEmpty() ? 0 : markers.get(markers.size() - 1).value();
        if (highest > mine) {
            throw new DeposedException(snapshots.pipeline() + ": a newer master claimed the pipeline (lease " + highest
                    + " above this master's " + mine + ", epoch " + epoch + ")");
        }
    }

    /** Removes markers below {@code upTo}: only the highest counts. Best effort, in the background. */
    private void dropBelow(long upTo) {
        storage.call(snapshots.pipeline().jobId(), "drop old id leases of " + snapshots.pipeline(), s -> {
                    for (CheckpointId older : s.list(where)) {
                        if (older.value() < upTo) {
                            s.delete(where, older);
                        }
                    }
                    return null;
                })
                .exceptionally(e -> {
                    LOG.debug("Cannot drop older id leases of {}; the highest counts", snapshots.pipeline(), e);
                    return null;
                });
    }
}
