package dev.cairn.checkpoint.coordinator;

import dev.cairn.checkpoint.api.CheckpointFailureReason;
import dev.cairn.checkpoint.api.CheckpointStats;
import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.api.config.CheckpointConfig;
import dev.cairn.checkpoint.api.config.CommitAfter;
import dev.cairn.checkpoint.io.Failures;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Triggers, collects and completes the checkpoints of one pipeline execution attempt, on the job
 * master's member.
 *
 * <p><b>Threading.</b> Every public method only queues work on the {@link Scheduler}'s single
 * thread; all state below is touched on that thread alone, so nothing here is locked. I/O (taking
 * ids, storing the completed checkpoint) is asynchronous and its results come back through the
 * same thread.
 *
 * <p><b>Life of a checkpoint.</b> Triggered when the {@link TriggerPolicy} allows, with an id from
 * the {@link CheckpointIdCounter}; <em>completed</em> when every task has acknowledged and the
 * {@link CompletedCheckpointStore} holds it with its backups (from then on it is the pipeline's
 * restore point); <em>committed</em>, and only then are tasks told (sinks commit), once it is in
 * storage ({@link #stored}, {@code commit-after: storage}) or right at completion ({@code
 * commit-after: cluster}). Tasks hear of commits in increasing id order, once each, never of an id
 * at or below the checkpoint the attempt restored from (their restore committed that one). Not
 * acknowledged within {@code timeout}: aborted as {@link CheckpointFailureReason#TIMEOUT}. Acks for ids that
 * are unknown, finished or already acknowledged are dropped. More consecutive failures than {@code
 * tolerable-failures}, or any task failure, and the coordinator stops and asks for a failover.
 *
 * <p><b>End of input.</b> When every source has reported that it finished, a final checkpoint is
 * triggered at once; when it completes the pipeline has nothing left to checkpoint.
 */
public final class CheckpointCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointCoordinator.class);
    /** The longest wait before asking again for the id of a final checkpoint or a savepoint. */
    private static final long ID_RETRY_MAX_MILLIS = 5_000;

    private final PipelineKey pipeline;
    private final long timeout;
    private final long interval;
    private final List<String> tasks;
    private final Set<String> sources;
    private final Map<String, String> metadata;
    private final Scheduler scheduler;
    private final CheckpointIdCounter ids;
    private final TaskGateway gateway;
    private final CompletedCheckpointStore store;
    private final CoordinatorListener listener;
    private final CommitAfter commitAfter;
    private final TriggerPolicy policy;
    private final FailureCounter failures;

    // ---- state, coordinator thread only
    private final TreeMap<Long, PendingCheckpoint> pending = new TreeMap<>();
    private final Set<String> finishedSources = new HashSet<>();
    private final List<CompletableFuture<CompletedCheckpoint>> savepointRequests = new ArrayList<>();
    private boolean running;
    /** Stopped for good: by {@link #stop}, a task failure, or too many failed checkpoints. */
    private boolean stopped;

    private boolean idRequested;
    private boolean finalCompleted;
    private long lastTriggeredAt;
    /** After a failure to take an id: no trigger before this. */
    private long idRetryNotBefore = Long.MIN_VALUE;
    /** Waits between attempts to take the id of a final checkpoint or a savepoint. */
    private final Backoff idBackoff = new Backoff(100, ID_RETRY_MAX_MILLIS);

    private long lastEndedAt = Long.MIN_VALUE;
    /** The last checkpoints that ended unsuccessfully: a late acknowledgement's part is dropped. */
    private final java.util.TreeSet<Long> ended = new java.util.TreeSet<>();

    private long lastCompletedId = -1;
    /** The highest id tasks were told is committed: the restored checkpoint's at first. */
    private long committedUpTo;
    /**
     * Records the sinks were given up to each completed checkpoint not yet committed, and up to the
     * latest one completed ({@link CompletedCheckpoint#META_RECORDS}): what a commit makes the
     * job's committed records.
     */
    private final TreeMap<Long, Long> recordsUpTo = new TreeMap<>();

    private long recordsCompleted;

    private Scheduler.Cancellable nextTrigger;
    private long nextTriggerAt = TriggerPolicy.WAIT;

    public CheckpointCoordinator(Setup setup, CheckpointConfig config, Scheduler scheduler) {
        this.pipeline = setup.pipeline();
        this.tasks = List.copyOf(setup.tasks());
        this.sources = Set.copyOf(setup.sources());
        this.metadata = Map.copyOf(setup.metadata());
        this.ids = setup.ids();
        this.gateway = setup.gateway();
        this.store = setup.store();
        this.listener = setup.listener();
        this.committedUpTo = setup.restoredId();
        this.recordsCompleted = setup.restoredRecords();
        this.commitAfter = config.commitAfter();
        this.scheduler = scheduler;
        this.timeout = config.timeout().toMillis();
        this.interval = config.interval().toMillis();
        this.policy = new TriggerPolicy(config);
        this.failures = new FailureCounter(config.tolerableFailures());
    }

    /**
     * What a coordinator works on and with.
     *
     * @param tasks every task of the attempt, in order: each must acknowledge every checkpoint
     * @param sources the source tasks among them
     * @param metadata copied into every completed checkpoint (job fingerprint, attempt)
     * @param restoredId the checkpoint the attempt's tasks restored from (their restore committed
     *     it), -1 for a fresh start
     * @param restoredRecords the records its sinks had been given up to it ({@link
     *     CompletedCheckpoint#META_RECORDS}), 0 for a fresh start
     */
    public record Setup(
            PipelineKey pipeline,
            List<String> tasks,
            Set<String> sources,
            Map<String, String> metadata,
            CheckpointIdCounter ids,
            TaskGateway gateway,
            CompletedCheckpointStore store,
            CoordinatorListener listener,
            long restoredId,
            long restoredRecords) {}

    // ================================================================ events (any thread)

    /**
     * Starts triggering. Events before the start count (a source that finished, a task that
     * failed); a coordinator stopped before its start never starts.
     */
    public void start() {
        scheduler.execute(() -> {
            if (stopped) {
                return;
            }
            running = true;
            lastTriggeredAt = scheduler.now(); // the first checkpoint comes an interval after the start
            reschedule();
        });
    }

    /** Stops triggering and aborts what is in flight, e.g. before a restart. Idempotent. */
    public void stop() {
        scheduler.execute(() -> stopNow(CheckpointFailureReason.PIPELINE_STOPPED, "the pipeline stopped"));
    }

    /** @param records for a sink, the records it was given for this checkpoint; 0 for other tasks */
    public void acknowledge(long id, String task, byte[] state, long records) {
        acknowledge(id, new TaskState(task, state), records);
    }

    /**
     * A task's acknowledgement, with its state inline or as a handle to the part its member put
     * aside ({@link dev.cairn.checkpoint.store.StateParts}).
     *
     * @param records for a sink, the records it was given for this checkpoint; 0 for other tasks
     */
    public void acknowledge(long id, TaskState state, long records) {
        scheduler.execute(() -> onAck(id, state, records));
    }

    public void sourceFinished(String task) {
        scheduler.execute(() -> {
            if (sources.contains(task) && finishedSources.add(task)) {
                reschedule();
            }
        });
    }

    public void taskFailed(String task, String detail) {
        scheduler.execute(() -> {
            if (!stopped) {
                stopNow(CheckpointFailureReason.TASK_FAILURE, "task " + task + " failed: " + detail);
                listener.failoverRequired(CheckpointFailureReason.TASK_FAILURE, "task " + task + " failed: " + detail);
            }
        });
    }

    /**
     * Takes a savepoint as soon as the policy allows, regardless of the interval. Completes with
     * the savepoint once it is complete (in the snapshot map with its backups), or exceptionally
     * with a {@link CheckpointFailure} saying why it was not taken.
     */
    public CompletableFuture<CompletedCheckpoint> triggerSavepoint() {
        CompletableFuture<CompletedCheckpoint> result = new CompletableFuture<>();
        scheduler.execute(() -> {
            if (!running || finalCompleted) {
                result.completeExceptionally(new CheckpointFailure(
                        CheckpointFailureReason.PIPELINE_STOPPED, pipeline + " is not running", null));
                return;
            }
            savepointRequests.add(result);
            reschedule();
        });
        return result;
    }

    /**
     * Checkpoint {@code id} (completed by this attempt or an earlier one) is in storage. With
     * {@code commit-after: storage}, tasks are told to commit up to it, unless they were told of
     * it or a newer one already; otherwise nothing happens (they were told at completion).
     */
    public void stored(long id) {
        scheduler.execute(() -> {
            if (commitAfter == CommitAfter.STORAGE) {
                commit(id);
            }
        });
    }

    // ================================================================ coordinator thread

    private boolean allSourcesFinished() {
        return finishedSources.size() == sources.size();
    }

    /** When the policy allows the next trigger, or {@link TriggerPolicy#WAIT}. */
    private long nextAllowed() {
        if (!running || finalCompleted || idRequested) {
            return TriggerPolicy.WAIT;
        }
        boolean urgent = allSourcesFinished() || !savepointRequests.isEmpty();
        if (allSourcesFinished() && pending.values().stream().anyMatch(p -> p.finalCheckpoint)) {
            return TriggerPolicy.WAIT; // the final checkpoint is in flight
        }
        long at = policy.next(scheduler.now(), lastTriggeredAt, lastEndedAt, pending.size(), urgent);
        return at == TriggerPolicy.WAIT ? at : Math.max(at, idRetryNotBefore);
    }

    private void reschedule() {
        long at = nextAllowed();
        if (at == nextTriggerAt && nextTrigger != null) {
            return;
        }
        if (nextTrigger != null) {
            nextTrigger.cancel();
            nextTrigger = null;
        }
        nextTriggerAt = at;
        if (at != TriggerPolicy.WAIT) {
            nextTrigger = scheduler.schedule(this::trigger, at - scheduler.now());
        }
    }

    private void trigger() {
        nextTrigger = null;
        nextTriggerAt = TriggerPolicy.WAIT;
        if (nextAllowed() > scheduler.now()) { // things changed since it was scheduled
            reschedule();
            return;
        }
        boolean finalCheckpoint = allSourcesFinished();
        boolean urgent = finalCheckpoint || !savepointRequests.isEmpty();
        idRequested = true;
        ids.next()
                .whenComplete((id, error) -> scheduler.execute(() -> {
                    idRequested = false;
                    if (error != null) {
                        Throwable why = Failures.cause(error);
                        // Not at once, the id may wait for a storage that is down; but a final
                        // checkpoint or a savepoint, which skip the interval, soon (backing off).
                        long backoff = idBackoff.failed();
                        long delay = urgent ? Math.min(interval, backoff) : interval;
                        LOG.warn(
                                "Cannot take a checkpoint id for {}; retrying in {} ms: {}",
                                pipeline,
                                delay,
                                why.getMessage());
                        idRetryNotBefore = scheduler.now() + delay;
                        lastEndedAt = scheduler.now();
                        reschedule();
                    } else if (running) {
                        idBackoff.succeeded();
                        start(id, finalCheckpoint);
                    }
                }));
    }

    private void start(long id, boolean finalCheckpoint) {
        long now = scheduler.now();
        List<CompletableFuture<CompletedCheckpoint>> requests = new ArrayList<>(savepointRequests);
        savepointRequests.clear();
        CheckpointType type = requests.isEmpty() ? CheckpointType.CHECKPOINT : CheckpointType.SAVEPOINT;
        PendingCheckpoint checkpoint = new PendingCheckpoint(id, now, finalCheckpoint, type, requests, tasks);
        pending.put(id, checkpoint);
        lastTriggeredAt = now;
        checkpoint.timeout = scheduler.schedule(
                () -> {
                    if (pending.get(id) == checkpoint) {
                        fail(
                                checkpoint,
                                CheckpointFailureReason.TIMEOUT,
                                "not acknowledged within " + timeout + " ms by " + checkpoint.waitingFor());
                    }
                },
                timeout);
        LOG.debug("Triggering {} {} of {}{}", type, id, pipeline, finalCheckpoint ? " (final)" : "");
        gateway.trigger(id, finalCheckpoint);
        reschedule();
    }

    private void onAck(long id, TaskState state, long records) {
        String task = state.taskId();
        PendingCheckpoint checkpoint = pending.get(id);
        if (checkpoint == null) {
            LOG.debug("Dropping late acknowledgement of checkpoint {} of {} from {}", id, pipeline, task);
            if (!state.inline() && ended.contains(id)) {
                store.abandoned(id); // its part came after the checkpoint's end dropped the others
            }
            return;
        }
        switch (checkpoint.acknowledge(state, records, scheduler.now())) {
            case COMPLETE -> complete(checkpoint);
            case DUPLICATE -> LOG.debug("Dropping duplicate acknowledgement of {} from {}", id, task);
            case UNKNOWN_TASK -> LOG.warn("Dropping acknowledgement of {} from unknown task {}", id, task);
            case ACCEPTED -> {}
        }
    }

    private void complete(PendingCheckpoint checkpoint) {
        checkpoint.timeout.cancel();
        long completedAt = scheduler.now();
        List<TaskState> states = checkpoint.states();
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        if (checkpoint.finalCheckpoint) {
            meta.put(CompletedCheckpoint.META_FINISHED, "true");
        }
        // Older checkpoints still in flight are subsumed by this one: their records travel with it.
        long records = recordsCompleted;
        for (PendingCheckpoint upTo : pending.headMap(checkpoint.id, true).values()) {
            records += upTo.records;
        }
        meta.put(CompletedCheckpoint.META_RECORDS, Long.toString(records));
        CompletedCheckpoint completed = new CompletedCheckpoint(
                pipeline,
                CheckpointId.of(checkpoint.id),
                checkpoint.type,
                checkpoint.triggeredAt,
                completedAt,
                states,
                meta);
        store.add(completed)
                .whenComplete((encodedSize, error) -> scheduler.execute(() -> {
                    if (pending.get(checkpoint.id) != checkpoint) {
                        return; // stopped or subsumed meanwhile
                    }
                    if (error != null) {
                        fail(
                                checkpoint,
                                CheckpointFailureReason.SNAPSHOT_STORE,
                                "cannot store it in the cluster: " + error.getMessage());
                        return;
                    }
                    completed(checkpoint, completed, encodedSize);
                }));
    }

    private void completed(PendingCheckpoint checkpoint, CompletedCheckpoint completed, long encodedSize) {
        pending.remove(checkpoint.id);
        long records = Long.parseLong(completed.metadata().get(CompletedCheckpoint.META_RECORDS));
        recordsCompleted = Math.max(recordsCompleted, records);
        recordsUpTo.put(checkpoint.id, records);
        long now = scheduler.now();
        lastEndedAt = now;
        lastCompletedId = checkpoint.id;
        failures.succeeded();
        // Older checkpoints still in flight can no longer be of use; a savepoint someone asked for
        // still is, and finishes.
        for (PendingCheckpoint older :
                new ArrayList<>(pending.headMap(checkpoint.id).values())) {
            if (older.type == CheckpointType.CHECKPOINT) {
                end(older, CheckpointFailureReason.SUBSUMED, "checkpoint " + checkpoint.id + " completed first");
            }
        }
        if (checkpoint.finalCheckpoint) {
            finalCompleted = true;
        }
        checkpoint.requests.forEach(r -> r.complete(completed));
        listener.completed(
                completed,
                new CheckpointStats(
                        pipeline.pipeline(),
                        checkpoint.id,
                        checkpoint.type,
                        checkpoint.finalCheckpoint,
                        checkpoint.triggeredAt,
                        now,
                        checkpoint.stateSize(),
                        encodedSize,
                        checkpoint.slowestTask(),
                        checkpoint.slowestAckMillis(now),
                        null,
                        "",
                        -1,
                        -1,
                        -1,
                        checkpoint.ackMillis()));
        if (commitAfter == CommitAfter.CLUSTER) {
            commit(checkpoint.id);
        }
        reschedule();
    }

    /** Tells the tasks to commit up to {@code id}, if they have not been told of it or a newer one. */
    private void commit(long id) {
        if (stopped || id <= committedUpTo) {
            return; // an attempt that ended commits nothing more; an older id is covered already
        }
        committedUpTo = id;
        gateway.complete(id);
        Long records = recordsUpTo.floorKey(id) == null
                ? null
                : recordsUpTo.floorEntry(id).getValue();
        recordsUpTo.headMap(id, true).clear();
        listener.committed(id, scheduler.now(), records == null ? -1 : records);
    }

    private void fail(PendingCheckpoint checkpoint, CheckpointFailureReason reason, String detail) {
        end(checkpoint, reason, detail);
        if (failures.failed(reason)) {
            String why =
                    failures.consecutive() + " consecutive checkpoint failures, the last " + reason + ": " + detail;
            stopNow(reason, why);
            listener.failoverRequired(reason, why);
            return;
        }
        reschedule();
    }

    /** Ends a pending checkpoint unsuccessfully: tasks are told, the listener hears why. */
    private void end(PendingCheckpoint checkpoint, CheckpointFailureReason reason, String detail) {
        if (pending.remove(checkpoint.id) == null) {
            return;
        }
        checkpoint.timeout.cancel();
        long now = scheduler.now();
        lastEndedAt = now;
        ended.add(checkpoint.id);
        if (ended.size() > 64) {
            ended.pollFirst();
        }
        if (checkpoint.holdsParts()) {
            store.abandoned(checkpoint.id);
        }
        if (reason != CheckpointFailureReason.PIPELINE_STOPPED && reason != CheckpointFailureReason.TASK_FAILURE) {
            gateway.abort(checkpoint.id);
        }
        LOG.info("{} {} of {} failed ({}): {}", checkpoint.type, checkpoint.id, pipeline, reason, detail);
        checkpoint.requests.forEach(r -> r.completeExceptionally(new CheckpointFailure(reason, detail, null)));
        listener.failed(new CheckpointStats(
                pipeline.pipeline(),
                checkpoint.id,
                checkpoint.type,
                checkpoint.finalCheckpoint,
                checkpoint.triggeredAt,
                now,
                0,
                0,
                checkpoint.slowestTask(),
                checkpoint.slowestAckMillis(now),
                reason,
                detail,
                -1,
                -1,
                -1,
                checkpoint.ackMillis()));
    }

    private void stopNow(CheckpointFailureReason reason, String detail) {
        running = false;
        stopped = true;
        if (nextTrigger != null) {
            nextTrigger.cancel();
            nextTrigger = null;
        }
        for (PendingCheckpoint checkpoint : new ArrayList<>(pending.values())) {
            end(checkpoint, reason, detail);
        }
        savepointRequests.forEach(r -> r.completeExceptionally(new CheckpointFailure(reason, detail, null)));
        savepointRequests.clear();
    }

    /** The last completed checkpoint id of this attempt, -1 if none (for tests and status). */
    long lastCompletedId() {
        return lastCompletedId;
    }

    /** The highest id tasks were told is committed (for tests and status). */
    long committedUpTo() {
        return committedUpTo;
    }
}
