package dev.cairn.checkpoint.cluster.internal.master;

import static dev.cairn.checkpoint.io.Failures.cause;

import com.hazelcast.cluster.Member;
import dev.cairn.checkpoint.api.CairnException;
import dev.cairn.checkpoint.api.CheckpointFailureReason;
import dev.cairn.checkpoint.api.CheckpointStats;
import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.api.JobFailure;
import dev.cairn.checkpoint.api.PipelineDefinition;
import dev.cairn.checkpoint.api.RestoreRequest;
import dev.cairn.checkpoint.api.config.CommitAfter;
import dev.cairn.checkpoint.api.config.CorruptCheckpointPolicy;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.api.config.RestartPolicy;
import dev.cairn.checkpoint.cluster.internal.node.Node;
import dev.cairn.checkpoint.cluster.internal.rpc.Messages;
import dev.cairn.checkpoint.coordinator.CheckpointCoordinator;
import dev.cairn.checkpoint.coordinator.CheckpointIdCounter;
import dev.cairn.checkpoint.coordinator.CompletedCheckpointStore;
import dev.cairn.checkpoint.coordinator.CoordinatorListener;
import dev.cairn.checkpoint.coordinator.TaskGateway;
import dev.cairn.checkpoint.flush.PipelineFlusher;
import dev.cairn.checkpoint.io.StorageCalls;
import dev.cairn.checkpoint.recovery.RecoveryPlanner;
import dev.cairn.checkpoint.recovery.RecoveryPlanner.IncompatibleCheckpointException;
import dev.cairn.checkpoint.recovery.RecoveryPlanner.Recovery;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.snapshot.SnapshotFormatException;
import dev.cairn.checkpoint.snapshot.StateHandle;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.store.DeposedException;
import dev.cairn.checkpoint.store.IdLease;
import dev.cairn.checkpoint.store.PipelineSnapshots;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipeline of a job, on the master: claims it (an epoch of its own, in storage), places and
 * deploys its subtasks, restores them, runs its coordinator and flusher, and restarts the whole
 * pipeline (a new execution attempt) when a task fails, a member running it leaves, or checkpoints
 * keep failing.
 *
 * <p><b>Restore points are stored before tasks restore.</b> A sink commits the restored
 * checkpoint's transactions as it restores, so the checkpoint it restores from must be in storage
 * first: else a full restart would go back to an older one and commit those records again. A
 * restart under the same master waits until the latest completed checkpoint is stored (it usually
 * is). A new master stores a copy of the checkpoint it restores from under an id of its own epoch,
 * and waits for it: from then on nothing the master it replaced may still write can be the newest
 * checkpoint. With {@code commit-after: cluster} neither wait happens.
 *
 * <p>Lifecycle methods run on the job's control thread and never wait for the storage: each step
 * that needs it continues on the control thread when it answers, if its start is still the
 * current one ({@link #startSeq}). Coordinator and flusher callbacks only record facts and hand
 * lifecycle work to that thread.
 */
final class PipelineMaster implements PipelineFlusher.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineMaster.class);
    private static final long DEPLOY_TIMEOUT_MILLIS = 30_000;
    /** An attempt that runs this long without failing shows the pipeline healthy, records or not. */
    static final long HEALTHY_AFTER_MILLIS = 10 * 60_000;

    private final JobMaster job;
    private final Node node;
    private final PipelineDefinition definition;
    private final PipelineKey key;
    private final PipelineSnapshots snapshots;
    private final String fingerprint;
    private final CommitAfter commitAfter;
    private final Set<String> sinks = new LinkedHashSet<>();
    private final Set<String> sources = new LinkedHashSet<>();

    // ---- control thread
    private PipelineFlusher flusher;
    private IdLease ids;
    private boolean claimed;
    /** The start under way; a continuation of an older one (superseded by a restart, a stop) is dropped. */
    private int startSeq;
    /** The newest checkpoint this master completed or stored as its restore point; -1 before. */
    private long ownLatest = -1;

    /** The latest checkpoint the flusher gave up, until a newer one is stored. */
    private final java.util.concurrent.atomic.AtomicReference<GivenUp> givenUp =
            new java.util.concurrent.atomic.AtomicReference<>();

    /** Written on the control thread, read by the gateway on the coordinator thread. */
    private volatile Map<Integer, Member> placement = Map.of();

    private int restartDelay = 100;
    /** Failures of the job's own since the pipeline last showed it is healthy: what the restart policy counts. */
    private int failuresInARow;
    /** The records of the checkpoint the running attempt restored from (0 for a fresh start). */
    private long recordsAtRestore;
    /** When the running attempt was deployed (wall clock), or 0 between attempts. */
    private long runningSince;
    /** Whether an attempt of this master was ever deployed: before, the pipeline is starting, not restarting. */
    private volatile boolean hasRun;
    /** What the user asked to restore from; used by the first attempt only, then null. */
    private RestoreRequest restore;
    /**
     * The restore point of the attempt being prepared, and what its fall-back means; published
     * (the job record's {@code restoredFrom}, {@code warning}, the restore count) only once its
     * tasks are deployed: a member may yet find a part of it unusable, and the master plan again.
     */
    private Recovery planned;

    private String plannedFallback;
    /** What the user asked the running plan to restore from, null if nothing: it cannot fall back. */
    private RestoreRequest requested;
    /** Checkpoints a member found unusable as it read its tasks' parts to restore them: id, why. */
    private final Map<Long, String> excluded = new HashMap<>();

    // ---- read from any thread
    /** Read by task events on any thread: they may arrive before the coordinator has started. */
    private volatile CheckpointCoordinator coordinator;

    private volatile int attempt;
    private volatile long epoch;
    private volatile boolean finished;
    private volatile long finalId = -1;
    /** The final checkpoint was given up, its sinks having committed it ({@link #finalLost}). */
    private boolean finalGivenUp;

    private volatile long restoredFrom = -1;
    private volatile String restoredSource = "none";
    private volatile CheckpointType restoredType = CheckpointType.CHECKPOINT;
    /** Why the pipeline is not running right now, while it (re)starts; null while it runs. */
    private volatile String waiting = "starting";
    /** Set when the latest restore had to skip newer, unusable checkpoints: what may repeat. */
    private volatile String fallback;
    /**
     * The pipeline was restored from its final checkpoint: it had finished before. It still runs
     * once more, briefly: its sinks commit that checkpoint's transactions as they restore, in case
     * the end came before they had (nothing else is emitted).
     */
    private volatile boolean restoredFinal;

    private final Map<String, Long> committedId = new ConcurrentHashMap<>();
    /** Records the sinks were given up to the latest committed checkpoint: the job's committed records. */
    private volatile long committedRecords;

    final PipelineStatistics stats;

    PipelineMaster(
            JobMaster job,
            Node node,
            PipelineDefinition definition,
            PipelineKey key,
            String fingerprint,
            RestoreRequest restore) {
        this.job = job;
        this.restore = restore;
        this.stats = new PipelineStatistics(job.scheduler()::execute, job::changed);
        this.node = node;
        this.definition = definition;
        this.key = key;
        this.fingerprint = fingerprint;
        this.commitAfter = node.config().checkpoint().commitAfter();
        this.snapshots = new PipelineSnapshots(node.maps(), key, node.io());
        for (String task : definition.taskIds()) {
            if (task.startsWith("sink-")) {
                sinks.add(task);
            } else if (task.startsWith("source-")) {
                sources.add(task);
            }
        }
    }

    // ================================================================ control thread

    void start() throws Exception {
        EngineConfig config = node.config();
        StorageCalls storage = node.storageCalls();
        ids = new IdLease(snapshots, storage, node.io());
        flusher = new PipelineFlusher(
                snapshots,
                storage,
                ids,
                config.checkpoint().storage().maxRetained(),
                node.io(),
                this,
                new ClusterPartStorer(node));
        startAttempt("start");
    }

    private void startAttempt(String why) {
        stopCoordinator();
        int seq = ++startSeq;
        waiting = "restarting: " + why;
        var record = snapshots.record();
        cancelTasks(claimed ? epoch : record.epoch(), Math.max(record.attempt(), attempt));
        job.slots().release(key);
        if (job.stopped()) {
            return;
        }
        job.changed();
        if (claimed) {
            plan(seq, why);
            return;
        }
        waiting = "claiming " + key + " in storage";
        ids.claim()
                .whenComplete((claim, error) -> job.control(() -> {
                    if (seq != startSeq || job.stopped()) {
                        return;
                    }
                    if (error != null) {
                        failedStep(cause(error), "cannot claim " + key + " in storage");
                        return;
                    }
                    claimed = true;
                    epoch = claim.epoch();
                    plan(seq, why);
                }));
    }

    /** Finds the restore point (in the map or, for a new master, in storage too). */
    private void plan(int seq, String why) {
        try {
            attempt = snapshots.nextAttempt();
        } catch (RuntimeException e) {
            failedStep(e, "cannot start attempt of " + key);
            return;
        }
        committedId.clear();
        // An earlier attempt's final checkpoint is not this one's: this attempt, restored from an
        // older checkpoint, finishes only at a final checkpoint of its own. (Kept, a commit of this
        // attempt's first checkpoint, whose id is higher, would pass for the end of the input.)
        finalId = -1;
        finalGivenUp = false;
        RestoreRequest request = restore;
        boolean newMaster = ownLatest < 0;
        Map<Long, String> unusable = Map.copyOf(excluded);
        waiting = "reading the checkpoints of " + key;
        storage()
                .call(key.jobId(), "plan the restore of " + key, s -> {
                    try {
                        // Chunks of checkpoints the record does not hold (failed ones, a former
                        // attempt's or master's) are dropped before any task of this attempt runs.
                        snapshots.sweepParts();
                    } catch (RuntimeException e) {
                        LOG.debug("{}: cannot sweep the chunks of parts nothing names; left for later", key, e);
                    }
                    try {
                        // Parts stay where they are: the members that run the tasks read them.
                        return request != null
                                ? RecoveryPlanner.exactLeavingParts(snapshots, s, fingerprint, request)
                                : RecoveryPlanner.planLeavingParts(snapshots, s, fingerprint, newMaster, unusable);
                    } catch (IncompatibleCheckpointException e) {
                        throw new CompletionException(e);
                    }
                })
                .whenComplete((recovery, error) -> job.control(() -> {
                    if (seq != startSeq || job.stopped()) {
                        return;
                    }
                    Throwable cause = cause(error);
                    if (cause instanceof IncompatibleCheckpointException incompatible) {
                        job.fail(
                                request != null
                                        ? JobFailure.Reason.RESTORE_POINT_UNUSABLE
                                        : JobFailure.Reason.INCOMPATIBLE_CHECKPOINT,
                                incompatible.getMessage());
                    } else if (cause != null) {
                        failedStep(cause, "cannot read the checkpoints of " + key);
                    } else {
                        planned(seq, recovery, why, request);
                    }
                }));
    }

    /**
     * The unusable checkpoints newer than the restore point whose output the sinks may have
     * committed. With {@code commit-after: storage}, one never stored was never committed: skipping
     * it repeats nothing, so it is neither a fall-back to warn of nor one to fail for.
     */
    private List<Long> mayHaveCommitted(Recovery recovery) {
        if (commitAfter != CommitAfter.STORAGE || recovery.unusableNewer().isEmpty()) {
            return recovery.unusableNewer();
        }
        long stored = Math.max(snapshots.record().storedUpTo(), recovery.highestStoredId());
        return recovery.unusableNewer().stream().filter(id -> id <= stored).toList();
    }

    private void planned(int seq, Recovery recovery, String why, RestoreRequest request) {
        requested = request; // restore stays until the attempt is deployed: a retry asks for it again
        CompletedCheckpoint restored = recovery.checkpoint().orElse(null);
        List<Long> unusable = mayHaveCommitted(recovery);
        if (!unusable.isEmpty()) {
            String from = restored == null ? "nothing (a fresh start)" : "checkpoint " + restored.id();
            if (node.config().checkpoint().corruptCheckpoint() == CorruptCheckpointPolicy.FAIL) {
                job.fail(
                        JobFailure.Reason.CORRUPT_CHECKPOINT,
                        "the newest checkpoints of " + key + ", " + unusable
                                + ", are unusable and seatunnel.engine.checkpoint.corrupt-checkpoint is 'fail': their sinks"
                                + " may have committed output that a restore from " + from + " would commit again. "
                                + String.join("; ", recovery.skipped()) + ". To go on from an older checkpoint anyway,"
                                + " submit the job again with --from-checkpoint ID");
                return;
            }
            plannedFallback = "restored from " + from + " because checkpoints " + unusable
                    + " are unusable: output committed after " + from + " up to checkpoint "
                    + unusable.get(unusable.size() - 1) + " may repeat";
        } else {
            plannedFallback = null;
        }
        planned = recovery;
        if (restored == null || commitAfter == CommitAfter.CLUSTER) {
            deploy(seq, restored, why);
        } else if (ownLatest < 0) {
            storeCopy(seq, restored, why);
        } else if (snapshots.record().isStored(restored.id().value())) {
            deploy(seq, restored, why);
        } else {
            waiting = "waiting for checkpoint " + restored.id() + " to be in storage before restoring from it";
            LOG.info("{}: {}", key, waiting);
            awaitStoredThenDeploy(seq, restored, why);
        }
    }

    /**
     * A new master restores from a copy of the checkpoint, stored under an id of its own epoch
     * before any task runs: sinks commit only what is stored, and nothing the deposed master may
     * still write is ever newer than it.
     */
    private void storeCopy(int seq, CompletedCheckpoint restored, String why) {
        waiting = "storing the restore point (" + restored.type().name().toLowerCase(java.util.Locale.ROOT) + " "
                + restored.id() + ") in epoch " + epoch + " before the tasks start";
        if (!restored.allInline()) {
            storeCopyOfParts(seq, restored, why);
            return;
        }
        int myAttempt = attempt;
        idCounter()
                .next()
                .thenApplyAsync(
                        id -> {
                            CompletedCheckpoint copy = restored.copyAs(
                                    CheckpointId.of(id), metadata(myAttempt), System.currentTimeMillis());
                            snapshots.put(copy, SnapshotCodec.encode(copy));
                            return copy;
                        },
                        node.io())
                .whenComplete((copy, error) -> job.control(() -> {
                    if (seq != startSeq || job.stopped()) {
                        return;
                    }
                    if (error != null) {
                        failedStep(cause(error), "cannot keep the restore point of " + key);
                        return;
                    }
                    copyKept(copy, restored, "");
                    awaitStoredThenDeploy(seq, copy, why);
                }));
    }

    /**
     * {@link #storeCopy} of a manifest: the members that will run its tasks read their parts, put
     * them as parts of the copy on partitions they own and keep them for the deploy; the master
     * puts the copy's manifest, which the flusher stores (each part by the member that put it)
     * before any task starts. No state passes through the master.
     */
    private void storeCopyOfParts(int seq, CompletedCheckpoint restored, String why) {
        int myAttempt = attempt;
        idCounter()
                .next()
                .whenComplete((id, error) -> job.control(() -> {
                    if (seq != startSeq || job.stopped()) {
                        return;
                    }
                    if (error != null) {
                        failedStep(cause(error), "cannot keep the restore point of " + key);
                        return;
                    }
                    Map<Integer, Member> placed = placeOrRetryLater(restored);
                    if (placed == null) {
                        return;
                    }
                    fetchParts(restored, placed, id)
                            .whenComplete((fetched, failure) -> job.control(() -> {
                                if (seq != startSeq || job.stopped()) {
                                    return;
                                }
                                if (failure != null) {
                                    snapshots.abandoned(id); // what members put for the copy
                                    fetchFailed(seq, restored, why, failure);
                                    return;
                                }
                                CompletedCheckpoint copy = copyWithParts(restored, id, myAttempt, fetched.copies());
                                CompletableFuture.runAsync(
                                                () -> snapshots.put(copy, SnapshotCodec.encode(copy)), node.io())
                                        .whenComplete((v, putError) -> job.control(() -> {
                                            if (seq != startSeq || job.stopped()) {
                                                return;
                                            }
                                            if (putError != null) {
                                                job.slots().release(key);
                                                failedStep(cause(putError), "cannot keep the restore point of " + key);
                                                return;
                                            }
                                            copyKept(copy, restored, "; the members wrote its parts");
                                            awaitStoredThenStart(seq, copy, why, placed, fetched);
                                        }));
                            }));
                }));
    }

    /** The copy of the restore point is in the map: it is this master's latest, for the flusher to store. */
    private void copyKept(CompletedCheckpoint copy, CompletedCheckpoint restored, String how) {
        ownLatest = copy.id().value();
        flusher.completed(ownLatest);
        LOG.info(
                "{}: restoring from checkpoint {}, a copy of {} {} in epoch {}{}",
                key,
                copy.id(),
                restored.type().name().toLowerCase(java.util.Locale.ROOT),
                restored.id(),
                epoch,
                how);
    }

    /** The copy of {@code restored} as {@code id}, naming the parts the members put for it. */
    private CompletedCheckpoint copyWithParts(
            CompletedCheckpoint restored, long id, int forAttempt, Map<Integer, StateHandle> copies) {
        CompletedCheckpoint base =
                restored.copyAs(CheckpointId.of(id), metadata(forAttempt), System.currentTimeMillis());
        List<TaskState> states = new ArrayList<>(base.taskStates());
        copies.forEach((ordinal, handle) ->
                states.set(ordinal, TaskState.of(states.get(ordinal).taskId(), handle)));
        return new CompletedCheckpoint(
                base.pipeline(),
                base.id(),
                base.type(),
                base.triggeredAt(),
                base.completedAt(),
                states,
                base.metadata());
    }

    /** Starts the prepared attempt once its restore point is stored (the flusher stores it). */
    private void awaitStoredThenStart(
            int seq, CompletedCheckpoint copy, String why, Map<Integer, Member> placed, Fetched fetched) {
        flusher.whenStored(copy.id().value())
                .whenComplete((stored, error) -> job.control(() -> {
                    if (seq != startSeq || job.stopped()) {
                        return;
                    }
                    if (error != null) {
                        job.slots().release(key);
                        failedStep(cause(error), "checkpoint " + copy.id() + " of " + key + " did not reach storage");
                        return;
                    }
                    start(seq, copy, why, placed, fetched.bySubtask());
                }));
    }

    private void awaitStoredThenDeploy(int seq, CompletedCheckpoint restored, String why) {
        flusher.whenStored(restored.id().value())
                .whenComplete((v, error) -> job.control(() -> {
                    if (seq != startSeq || job.stopped()) {
                        return;
                    }
                    if (error != null) {
                        failedStep(
                                cause(error), "checkpoint " + restored.id() + " of " + key + " did not reach storage");
                        return;
                    }
                    deploy(seq, restored, why);
                }));
    }

    /**
     * Deploys the attempt's subtasks, restoring {@code restored}. When it names parts (a restart
     * from the map under this master), each member first reads the parts of the tasks it will run
     * ({@link Messages.FetchParts}); the tasks start only once every member holds its states. A
     * part found missing or corrupt makes the master plan again without that checkpoint.
     */
    private void deploy(int seq, CompletedCheckpoint restored, String why) {
        if (restored == null || restored.allInline()) {
            start(seq, restored, why, null, Map.of());
            return;
        }
        Map<Integer, Member> placed = placeOrRetryLater(restored);
        if (placed == null) {
            return;
        }
        waiting = "reading the task states of checkpoint " + restored.id() + " on the members that restore them";
        job.changed();
        fetchParts(restored, placed, -1)
                .whenComplete((fetched, error) -> job.control(() -> {
                    if (seq != startSeq || job.stopped()) {
                        return;
                    }
                    if (error != null) {
                        fetchFailed(seq, restored, why, error);
                    } else {
                        start(seq, restored, why, placed, fetched.bySubtask());
                    }
                }));
    }

    /**
     * A member could not read its tasks' parts of {@code restored}: if one is missing or corrupt,
     * plan again without that checkpoint (or fail the job, if the user asked for exactly it); else
     * try again later.
     */
    private void fetchFailed(int seq, CompletedCheckpoint restored, String why, Throwable error) {
        job.slots().release(key);
        cancelTasks(epoch, attempt); // members drop what they read for this attempt
        Throwable cause = cause(error);
        if (!(cause instanceof SnapshotFormatException unusable)) {
            retryLater("cannot read the task states of checkpoint " + restored.id() + " of " + key + " on the"
                    + " members: " + cause.getMessage());
            return;
        }
        if (requested != null) {
            job.fail(
                    JobFailure.Reason.RESTORE_POINT_UNUSABLE,
                    requested + " of " + key + " is unusable (" + unusable.reason() + "): " + unusable.getMessage());
            return;
        }
        excluded.put(
                restored.id().value(),
                "(" + unusable.reason() + "): " + unusable.getMessage() + " (found by the member to restore it)");
        LOG.warn(
                "{}: checkpoint {} cannot be restored ({}), planning again without it",
                key,
                restored.id(),
                unusable.getMessage());
        plan(seq, why);
    }

    /**
     * What the members read for a restore: the tasks whose states each subtask's member holds, and
     * with a copy, the handle of each copied part by ordinal.
     */
    private record Fetched(Map<Integer, List<String>> bySubtask, Map<Integer, StateHandle> copies) {}

    /**
     * Asks each member of {@code placed} to read the parts of the tasks it will run, and with a
     * {@code copyId} (else -1) to put them as parts of that copy.
     */
    private CompletableFuture<Fetched> fetchParts(
            CompletedCheckpoint restored, Map<Integer, Member> placed, long copyId) {
        Map<String, Integer> ordinals = new HashMap<>();
        for (int i = 0; i < restored.taskStates().size(); i++) {
            if (!restored.taskStates().get(i).inline()) {
                ordinals.put(restored.taskStates().get(i).taskId(), i);
            }
        }
        Map<Member, List<Integer>> byMember = new LinkedHashMap<>();
        Map<Integer, List<String>> fetched = new HashMap<>();
        placed.forEach((subtask, member) -> {
            for (String task : PipelineDefinition.taskIds(definition.shape(), subtask)) {
                Integer ordinal = ordinals.get(task);
                if (ordinal != null) {
                    byMember.computeIfAbsent(member, m -> new ArrayList<>()).add(ordinal);
                    fetched.computeIfAbsent(subtask, t -> new ArrayList<>()).add(task);
                }
            }
        });
        byte[] manifest = SnapshotCodec.encode(restored);
        String me = node.hazelcast().getCluster().getLocalMember().getUuid().toString();
        // A savepoint's parts are stored beside it (the record names only savepoints not yet stored).
        String where = restored.type() == CheckpointType.SAVEPOINT
                ? FileLayout.savepointsOf(key).pipeline()
                : key.pipeline();
        long timeout = 2 * node.config().checkpoint().storage().callTimeout().toMillis();
        long ofEpoch = epoch;
        int ofAttempt = attempt;
        Map<Integer, StateHandle> copies = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> answers = new ArrayList<>();
        byMember.forEach((member, list) -> answers.add(node.ask(
                        member,
                        requestId -> new Messages.FetchParts(
                                me,
                                key.jobId().value(),
                                key.pipeline(),
                                ofEpoch,
                                ofAttempt,
                                where,
                                requestId,
                                manifest,
                                list.stream().mapToInt(Integer::intValue).toArray(),
                                copyId),
                        timeout)
                .thenAccept(answer -> {
                    List<StateHandle> handles = ((Messages.PartsFetched) answer).copies();
                    for (int i = 0; i < handles.size(); i++) {
                        copies.put(list.get(i), handles.get(i));
                    }
                })));
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(v -> {
                    if (copyId >= 0 && copies.size() != ordinals.size()) {
                        throw new IllegalStateException("members copied " + copies.size() + " of " + ordinals.size()
                                + " parts of checkpoint " + restored.id());
                    }
                    return new Fetched(fetched, copies);
                });
    }

    /**
     * Starts the attempt's subtasks on {@code placed} (null: placed now), each with its inline
     * states and the names of those its member read itself ({@code fetched}, by subtask).
     */
    private void start(
            int seq,
            CompletedCheckpoint restored,
            String why,
            Map<Integer, Member> placed,
            Map<Integer, List<String>> fetched) {
        Map<String, byte[]> states = new HashMap<>();
        if (restored != null) {
            for (TaskState state : restored.taskStates()) {
                if (state.inline()) {
                    states.put(state.taskId(), state.state());
                }
            }
        }
        // The coordinator exists before the tasks do: a source can run dry, or a task fail, before
        // deploy() returns, and what it reports must reach a coordinator, not be dropped.
        coordinator = newCoordinator(restored);
        committedRecords = restored == null ? 0 : restored.records(); // its sinks commit them as they restore
        recordsAtRestore = committedRecords;
        waiting = "deploying " + key;
        try {
            placement = placed != null ? placed : place(restored);
            deploy(states, fetched);
        } catch (Exception e) {
            stopCoordinator();
            job.slots().release(key);
            String problem = "cannot deploy " + key + " attempt " + attempt + ": " + e.getMessage();
            if (e instanceof TaskRefused refused && refused.reason == CairnException.Reason.INVALID_JOB) {
                restartCounted(problem); // the job's own operators cannot be built: counted like a task failure
            } else {
                retryLater(problem);
            }
            return;
        }
        restartDelay = 100;
        waiting = null;
        runningSince = System.currentTimeMillis();
        hasRun = true;
        publishRestore();
        LOG.info(
                "{} epoch {} attempt {} running ({}), restored from {}",
                key,
                epoch,
                attempt,
                why,
                restored == null ? "nothing (fresh start)" : restoredFrom());
        coordinator.start();
        flusher.wake();
        job.changed();
    }

    /** The deployed attempt's restore point becomes what the job record says it restored from. */
    private void publishRestore() {
        Recovery recovery = planned;
        if (recovery == null) {
            return;
        }
        planned = null;
        restore = null; // the user's choice is restored; later restarts go on from the latest
        CompletedCheckpoint restored = recovery.checkpoint().orElse(null);
        if (plannedFallback != null) {
            fallback = plannedFallback;
            LOG.warn("{}: {}", key, fallback);
        }
        restoredFrom = restored == null ? -1 : restored.id().value();
        restoredFinal = restored != null && restored.finished();
        restoredSource = recovery.source();
        restoredType = restored == null ? CheckpointType.CHECKPOINT : restored.type();
        if (restored != null) {
            stats.restored();
        }
    }

    /** A step of a start failed: a newer master means step down; anything else is tried again later. */
    private void failedStep(Throwable cause, String what) {
        if (cause instanceof DeposedException deposed) {
            deposed(deposed);
        } else {
            retryLater(what + ": " + cause.getMessage());
        }
    }

    private void retryLater(String problem) {
        LOG.warn("{}; retrying in {} ms", problem, restartDelay);
        waiting = problem;
        job.changed();
        int delay = restartDelay;
        restartDelay = Math.min(5_000, restartDelay * 2);
        job.schedule(() -> startAttempt("retry"), delay);
    }

    /** The attempt's subtasks placed on members, or null (and a retry scheduled) if they cannot be. */
    private Map<Integer, Member> placeOrRetryLater(CompletedCheckpoint restored) {
        try {
            return place(restored);
        } catch (RuntimeException e) {
            retryLater("cannot place " + key + " attempt " + attempt + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * Places the subtasks, each where most of the state it restores is held, if it can go there;
     * after a second failure in a row, round-robin only: the subtasks move on, off a member where
     * they may keep failing.
     */
    private Map<Integer, Member> place(CompletedCheckpoint restored) {
        List<Member> members = new ArrayList<>(node.hazelcast().getCluster().getMembers());
        Map<Integer, Member> preferred = failuresInARow < 2 ? holders(restored, members) : Map.of();
        return job.slots().place(key, definition.parallelism(), attempt, members, preferred);
    }

    /**
     * For each subtask whose state is in parts, the member that owns most of their chunks' bytes in
     * the map now: run there, the subtask reads its state without crossing the wire. A tie goes to
     * the member the round-robin would pick first.
     */
    private Map<Integer, Member> holders(CompletedCheckpoint restored, List<Member> members) {
        if (restored == null || restored.allInline()) {
            return Map.of();
        }
        Map<String, StateHandle> parts = new HashMap<>();
        for (TaskState state : restored.taskStates()) {
            if (!state.inline()) {
                parts.put(state.taskId(), state.handle());
            }
        }
        Map<Integer, Member> holders = new HashMap<>();
        for (int subtask = 0; subtask < definition.parallelism(); subtask++) {
            Map<Member, Long> bytes = new HashMap<>();
            for (String task : PipelineDefinition.taskIds(definition.shape(), subtask)) {
                StateHandle part = parts.get(task);
                if (part != null) {
                    node.maps().holders(part).forEach((member, held) -> bytes.merge(member, held, Long::sum));
                }
            }
            Member most = null;
            for (int k = 0; k < members.size(); k++) {
                Member candidate = SlotTable.roundRobin(members, subtask, attempt, k);
                if (bytes.getOrDefault(candidate, 0L) > (most == null ? 0L : bytes.get(most))) {
                    most = candidate;
                }
            }
            if (most != null) {
                holders.put(subtask, most);
            }
        }
        return holders;
    }

    private void deploy(Map<String, byte[]> states, Map<Integer, List<String>> fetched) throws Exception {
        List<CompletableFuture<Object>> replies = new ArrayList<>();
        for (Map.Entry<Integer, Member> entry : placement.entrySet()) {
            int subtask = entry.getKey();
            HashMap<String, byte[]> restored = new HashMap<>();
            for (String task : PipelineDefinition.taskIds(definition.shape(), subtask)) {
                byte[] state = states.get(task);
                if (state != null) {
                    restored.put(task, state);
                }
            }
            replies.add(node.send(
                    entry.getValue(),
                    new Messages.Deploy(
                            key.jobId().value(),
                            job.spec().type(),
                            new HashMap<>(job.spec().params()),
                            key.pipeline(),
                            subtask,
                            epoch,
                            attempt,
                            node.hazelcast()
                                    .getCluster()
                                    .getLocalMember()
                                    .getUuid()
                                    .toString(),
                            restored,
                            new ArrayList<>(fetched.getOrDefault(subtask, List.of())))));
        }
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
                .get(DEPLOY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        for (CompletableFuture<Object> reply : replies) {
            if (reply.get() instanceof Messages.Reply r && !r.ok()) {
                throw new TaskRefused(r.reason(), r.message());
            }
        }
    }

    /** A member refused to deploy a subtask; {@code reason} says whether the job or the cluster is to blame. */
    private static final class TaskRefused extends Exception {
        private static final long serialVersionUID = 1L;
        final transient CairnException.Reason reason;

        TaskRefused(CairnException.Reason reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    private Map<String, String> metadata(int forAttempt) {
        return Map.of(
                CompletedCheckpoint.META_JOB_SPEC,
                fingerprint,
                CompletedCheckpoint.META_ATTEMPT,
                Integer.toString(forAttempt),
                CompletedCheckpoint.META_EPOCH,
                Long.toString(epoch));
    }

    private CheckpointCoordinator newCoordinator(CompletedCheckpoint restored) {
        int myAttempt = attempt;
        return new CheckpointCoordinator(
                new CheckpointCoordinator.Setup(
                        key,
                        definition.taskIds(),
                        sources,
                        metadata(myAttempt),
                        idCounter(),
                        new Gateway(epoch, myAttempt),
                        completedStore(),
                        new AttemptListener(myAttempt),
                        restored == null ? -1 : restored.id().value(),
                        restored == null ? 0 : restored.records()),
                node.config().checkpoint(),
                job.scheduler());
    }

    /** The id lease, telling this master when it turns out to be deposed. */
    private CheckpointIdCounter idCounter() {
        return () -> ids.next().whenComplete((id, error) -> noticeDeposed(error));
    }

    /** The snapshot map, telling this master when it turns out to be deposed. */
    private CompletedCheckpointStore completedStore() {
        return checkpoint -> snapshots.add(checkpoint).whenComplete((size, error) -> noticeDeposed(error));
    }

    private void noticeDeposed(Throwable error) {
        if (cause(error) instanceof DeposedException deposed) {
            deposed(deposed);
        }
    }

    private void stopCoordinator() {
        if (coordinator != null) {
            coordinator.stop();
            coordinator = null;
        }
    }

    /**
     * Stops this pipeline's tasks of every older epoch, and of {@code ofEpoch} those of attempts up
     * to {@code upTo}, on every member, and waits.
     */
    private void cancelTasks(long ofEpoch, int upTo) {
        List<CompletableFuture<Object>> replies = new ArrayList<>();
        for (Member member : node.hazelcast().getCluster().getMembers()) {
            replies.add(node.send(member, new Messages.Cancel(key.jobId().value(), key.pipeline(), ofEpoch, upTo)));
        }
        for (CompletableFuture<Object> reply : replies) {
            try {
                reply.get(DEPLOY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.debug("Cancel of {} on a member did not answer: {}", key, e.toString());
            }
        }
    }

    /** Asks the coordinator for a savepoint; fails at once if the pipeline is between attempts. */
    CompletableFuture<CompletedCheckpoint> savepoint() {
        CheckpointCoordinator c = coordinator;
        if (c == null || finished || waiting != null) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException(key + " is " + (finished ? "finished" : "restarting; try again")));
        }
        return c.triggerSavepoint();
    }

    /** Waits (on the caller's thread) until savepoint {@code id} is in storage. */
    void awaitStored(long id, long deadline) throws TimeoutException, InterruptedException {
        try {
            flusher.whenStored(id).get(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    key + " did not store savepoint " + id + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new TimeoutException(key + " did not store savepoint " + id + " in time");
        }
    }

    /** A member running some of the attempt left: not the job's fault, restarted at once and not counted. */
    void memberRemoved(Member member) {
        if (!finished && coordinator != null && placement.containsValue(member)) {
            restart("member " + member.getAddress() + " left");
        }
    }

    private void restart(String why) {
        if (finished || job.stopped()) {
            return;
        }
        stats.restarted();
        runningSince = 0;
        LOG.warn("Restarting {} from its latest checkpoint: {}", key, why);
        job.changed();
        startAttempt(why);
    }

    /**
     * The job failed on its own (a task, its checkpoints, its operators): the restart policy counts
     * it and delays the restart, or fails the job once the pipeline failed more times in a row than
     * it allows. The failing tasks stop at once; the new attempt starts after the delay. On the
     * control thread.
     */
    private void restartCounted(String why) {
        if (finished || job.stopped()) {
            return;
        }
        RestartPolicy policy = node.config().restart();
        failuresInARow++;
        runningSince = 0;
        if (failuresInARow > policy.maxAttempts()) {
            job.fail(
                    JobFailure.Reason.TOO_MANY_RESTARTS,
                    key + " failed " + failuresInARow + " times in a row, more than restart.max-attempts ("
                            + policy.maxAttempts() + ") allows; last cause: " + why);
            return;
        }
        stats.restarted();
        long delay = policy.delayBefore(failuresInARow).toMillis();
        LOG.warn(
                "{} failed ({} of {} in a row); restarting from its latest checkpoint in {} ms: {}",
                key,
                failuresInARow,
                policy.maxAttempts(),
                delay,
                why);
        stopCoordinator();
        int seq = ++startSeq; // a stop, or a newer start, drops the delayed one
        waiting = "restart " + failuresInARow + " of " + policy.maxAttempts() + " in " + seconds(delay) + " after: "
                + why;
        cancelTasks(epoch, attempt);
        job.slots().release(key);
        job.changed();
        job.schedule(
                () -> {
                    if (seq == startSeq) {
                        startAttempt(why);
                    }
                },
                delay);
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0
                ? millis / 1000 + " s"
                : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    /**
     * The running attempt completed a checkpoint: if it carries records that its restore point did
     * not, or the attempt has run failure-free for {@link #HEALTHY_AFTER_MILLIS}, the pipeline is
     * healthy again and the restart policy's count starts over. A pipeline that fails at the same
     * record every time never gets past it, so its count only grows. On the control thread.
     */
    private void progressed(int ofAttempt, long records) {
        if (ofAttempt != attempt || runningSince == 0 || failuresInARow == 0) {
            return;
        }
        if (records > recordsAtRestore || System.currentTimeMillis() - runningSince >= HEALTHY_AFTER_MILLIS) {
            LOG.info("{} is healthy again after {} failures in a row", key, failuresInARow);
            failuresInARow = 0;
        }
    }

    private void checkFinished() {
        if (finished || finalId < 0) {
            return;
        }
        for (String sink : sinks) {
            if (committedId.getOrDefault(sink, -1L) < finalId) {
                return;
            }
        }
        boolean settled = finalGivenUp
                ? flusher == null || flusher.idle() // nothing will store it: the storage owes nothing else
                : flusher != null
                        ? flusher.settled(finalId)
                        : snapshots.record().isStored(finalId);
        if (!settled) {
            return;
        }
        finished = true;
        stopCoordinator();
        cancelTasks(epoch, attempt);
        job.slots().release(key);
        LOG.info(
                "{} finished: final checkpoint {} committed and {}",
                key,
                finalId,
                finalGivenUp ? "given up by the cluster before it was stored (see the warning)" : "stored");
        job.pipelineFinished();
    }

    /** Stops the pipeline for good (job cancelled, or this member stops being master). */
    void stop(boolean tellMembers) {
        startSeq++; // whatever start is under way goes no further
        stopCoordinator();
        if (flusher != null) {
            flusher.close();
        }
        if (tellMembers && epoch > 0) {
            cancelTasks(epoch, attempt);
        }
        job.slots().release(key);
    }

    private StorageCalls storage() {
        try {
            return node.storageCalls();
        } catch (Exception e) {
            throw new IllegalStateException("the checkpoint storage cannot be opened: " + e.getMessage(), e);
        }
    }

    // ================================================================ any thread

    /** A newer master holds the pipeline (found by the lease, the map or the flusher): the job steps down. */
    @Override
    public void deposed(DeposedException e) {
        job.control(() -> job.deposed(key + ": " + e.getMessage()));
    }

    void acknowledged(Messages.Ack ack) {
        CheckpointCoordinator c = coordinatorOf(ack.epoch(), ack.attempt());
        if (c != null) {
            c.acknowledge(ack.id(), ack.taskState(), ack.records());
        }
    }

    /**
     * The coordinator of {@code taskAttempt}, or null if that attempt is over or not running yet.
     * The coordinator is read before the attempt: a restart sets the new attempt before it creates
     * the new coordinator, so a coordinator read first belongs to the attempt read after it, if that
     * still matches. Read the other way round, a restart in between would hand an event of the old
     * attempt (a source that finished) to the new attempt's coordinator.
     */
    private CheckpointCoordinator coordinatorOf(long taskEpoch, int taskAttempt) {
        CheckpointCoordinator c = coordinator;
        return taskEpoch == epoch && taskAttempt == attempt ? c : null;
    }

    void taskEvent(Messages.TaskEvent event) {
        CheckpointCoordinator c = coordinatorOf(event.epoch(), event.attempt());
        if (c == null) {
            return; // a task of an earlier attempt or master
        }
        switch (event.kind()) {
            case SOURCE_FINISHED -> c.sourceFinished(event.taskId());
            case FAILED -> c.taskFailed(event.taskId(), event.detail());
            case COMMITTED -> {
                committedId.merge(event.taskId(), event.id(), Math::max);
                job.changed();
                if (event.id() == finalId) {
                    job.control(this::checkFinished);
                }
            }
        }
    }

    /** Hears one attempt's coordinator. */
    private final class AttemptListener implements CoordinatorListener {
        private final int myAttempt;

        AttemptListener(int myAttempt) {
            this.myAttempt = myAttempt;
        }

        @Override
        public void completed(CompletedCheckpoint checkpoint, CheckpointStats stats) {
            checkpointCompleted(stats, myAttempt);
            long records = checkpoint.records();
            job.control(() -> progressed(myAttempt, records));
        }

        @Override
        public void committed(long id, long at, long records) {
            stats.committed(id, at);
            if (records >= 0) {
                committedRecords = records;
            }
            job.changed();
        }

        @Override
        public void failed(CheckpointStats stats) {
            checkpointFailed(stats);
        }

        /**
         * Only while this attempt is the current one and deployed: a task that fails while its
         * deploy fails too would otherwise restart the pipeline twice (the deploy retries anyway).
         */
        @Override
        public void failoverRequired(CheckpointFailureReason reason, String detail) {
            job.control(() -> {
                if (attempt == myAttempt && coordinator != null && waiting == null) {
                    restartCounted(detail);
                }
            });
        }
    }

    private void checkpointCompleted(CheckpointStats s, int ofAttempt) {
        stats.completed(s);
        job.control(() -> {
            ownLatest = Math.max(ownLatest, s.id());
            // On the control thread, where plan() starts the next attempt: an ended attempt's final
            // checkpoint never becomes the next one's.
            if (s.finalCheckpoint() && ofAttempt == attempt) {
                finalId = s.id();
                // The sinks' commits and the store may both have come and gone while finalId was unset.
                checkFinished();
            }
        });
        flusher.completed(s.id());
        job.changed();
    }

    private void checkpointFailed(CheckpointStats s) {
        if (s.reason() != CheckpointFailureReason.PIPELINE_STOPPED) {
            stats.failed(s);
            job.changed();
        }
    }

    @Override
    public void storeFailed(long id, Exception error, int failures) {
        stats.storeFailed("pipeline " + key.pipeline() + ": checkpoint " + id + " not in storage after " + failures
                + (failures == 1 ? " attempt" : " attempts") + ", retrying: " + error.getMessage());
        job.changed();
    }

    @Override
    public void lost(long id, boolean savepoint, String why) {
        // In the record, not only the log: a person should know, though the storage is fine.
        String what =
                (savepoint ? "savepoint " : "checkpoint ") + id + " cannot be stored and was given up (" + why + ")";
        String then;
        if (id == finalId) {
            then = commitAfter == CommitAfter.CLUSTER
                    ? "; it was the final checkpoint and its output is committed, but storage keeps only an older"
                            + " checkpoint: running the job again would repeat output after that one"
                    : "; it was the final checkpoint: the pipeline restarts from the newest stored checkpoint";
        } else {
            then = savepoint ? "" : "; the next stored checkpoint stands for it";
        }
        givenUp.set(new GivenUp(id, what + then));
        job.changed();
        job.control(() -> finalLost(id, why)); // if it is the final checkpoint, of the running attempt
    }

    /**
     * The final checkpoint can never be stored, and no newer one will come. With {@code
     * commit-after: storage} its sinks never commit it: the pipeline restarts from the newest
     * checkpoint there is, and ends in a new final one. With {@code commit-after: cluster} they
     * committed it at completion: the output is whole, and the pipeline finishes with the warning.
     * On the control thread.
     */
    private void finalLost(long id, String why) {
        if (finished || id != finalId || waiting != null) {
            return; // not this attempt's final, or a restart is already under way
        }
        if (commitAfter == CommitAfter.CLUSTER) {
            finalGivenUp = true;
            checkFinished();
        } else {
            // Counted: if every final checkpoint is lost, the restart policy ends it.
            restartCounted("its final checkpoint " + id + " cannot be stored (" + why + ")");
        }
    }

    @Override
    public void stored(long id, long millis) {
        GivenUp lost = givenUp.get();
        if (lost != null && id > lost.id()) {
            givenUp.compareAndSet(lost, null); // not a newer one given up meanwhile
        }
        stats.stored(id, System.currentTimeMillis(), millis);
        CheckpointCoordinator c = coordinator;
        if (c != null) {
            c.stored(id);
        }
        job.changed();
    }

    @Override
    public void quiet() {
        if (finalId >= 0) {
            // The final checkpoint may be settled now: stored, retention run after it, and no
            // older write left to land behind that retention.
            job.control(this::checkFinished);
        }
    }

    // ================================================================ status

    boolean finished() {
        return finished;
    }

    boolean hasRun() {
        return hasRun;
    }

    boolean restoredFinal() {
        return restoredFinal;
    }

    long committedRecords() {
        return committedRecords;
    }

    int backlog() {
        return flusher == null ? 0 : flusher.backlog();
    }

    int attempt() {
        return attempt;
    }

    long epoch() {
        return epoch;
    }

    /** Why the pipeline is not running right now, or null while it runs. */
    String waiting() {
        return waiting;
    }

    /** What the latest restore had to skip, and what output may therefore repeat; null if nothing. */
    String fallback() {
        return fallback;
    }

    /** The latest checkpoint or savepoint given up as never to be stored, until a newer one is stored; or null. */
    String givenUp() {
        GivenUp lost = givenUp.get();
        return lost == null ? null : lost.what();
    }

    private record GivenUp(long id, String what) {}

    String restoredFrom() {
        return restoredFrom < 0
                ? "nothing"
                : (restoredType == CheckpointType.SAVEPOINT ? "savepoint " : "checkpoint ") + restoredFrom + " ("
                        + restoredSource + ")";
    }

    PipelineKey key() {
        return key;
    }

    /** Sends coordinator requests to the tasks of one attempt, wherever they run. */
    private final class Gateway implements TaskGateway {
        private final long gatewayEpoch;
        private final int gatewayAttempt;

        Gateway(long epoch, int attempt) {
            this.gatewayEpoch = epoch;
            this.gatewayAttempt = attempt;
        }

        private void toMembers(Object message) {
            for (Member member : new LinkedHashSet<>(placement.values())) {
                node.send(member, message).exceptionally(e -> null); // a lost member is handled by membership
            }
        }

        @Override
        public void trigger(long id, boolean finalCheckpoint) {
            toMembers(new Messages.Trigger(
                    key.jobId().value(), key.pipeline(), gatewayEpoch, gatewayAttempt, id, finalCheckpoint));
        }

        @Override
        public void complete(long id) {
            toMembers(new Messages.Notify(key.jobId().value(), key.pipeline(), gatewayEpoch, gatewayAttempt, id, true));
        }

        @Override
        public void abort(long id) {
            toMembers(
                    new Messages.Notify(key.jobId().value(), key.pipeline(), gatewayEpoch, gatewayAttempt, id, false));
        }
    }
}
