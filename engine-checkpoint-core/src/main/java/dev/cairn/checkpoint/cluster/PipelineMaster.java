package dev.cairn.checkpoint.cluster;

import com.hazelcast.cluster.Member;
import dev.cairn.checkpoint.config.EngineConfig;
import dev.cairn.checkpoint.coordinator.CheckpointCoordinator;
import dev.cairn.checkpoint.coordinator.CheckpointStats;
import dev.cairn.checkpoint.coordinator.CoordinatorListener;
import dev.cairn.checkpoint.coordinator.FailureReason;
import dev.cairn.checkpoint.coordinator.TaskGateway;
import dev.cairn.checkpoint.flush.PipelineFlusher;
import dev.cairn.checkpoint.recovery.RecoveryPlanner;
import dev.cairn.checkpoint.recovery.RecoveryPlanner.IncompatibleCheckpointException;
import dev.cairn.checkpoint.recovery.RecoveryPlanner.Recovery;
import dev.cairn.checkpoint.recovery.RestoreRequest;
import dev.cairn.checkpoint.runtime.PipelineDefinition;
import dev.cairn.checkpoint.snapshot.CheckpointType;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.store.IdLease;
import dev.cairn.checkpoint.store.PipelineSnapshots;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipeline of a job, on the master: places and deploys its subtasks, restores them from the
 * latest checkpoint, runs its coordinator and flusher, and restarts the whole pipeline (a new
 * execution attempt) when a task fails, a member running it leaves, or checkpoints keep failing.
 *
 * <p>Lifecycle methods run on the job's control thread; coordinator and flusher callbacks only
 * record facts and hand lifecycle work to that thread.
 */
final class PipelineMaster implements PipelineFlusher.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineMaster.class);
    private static final long DEPLOY_TIMEOUT_MILLIS = 30_000;
    private static final int HISTORY = 50;

    private final JobMaster job;
    private final CairnNode node;
    private final PipelineDefinition definition;
    private final PipelineKey key;
    private final PipelineSnapshots snapshots;
    private final String fingerprint;
    private final Set<String> sinks = new LinkedHashSet<>();

    // ---- control thread
    private PipelineFlusher flusher;
    private IdLease ids;
    /** Read by task events on any thread: they may arrive before the coordinator has started. */
    private volatile CheckpointCoordinator coordinator;

    private Map<Integer, Member> placement = Map.of();
    private int restartDelay = 100;

    // ---- read from any thread
    private volatile int attempt;
    private volatile boolean finished;
    private volatile long finalId = -1;
    private volatile long restoredFrom = -1;
    private volatile String restoredSource = "none";
    private volatile CheckpointType restoredType = CheckpointType.CHECKPOINT;
    private volatile boolean finishedBeforeStart;
    private final Map<String, Long> committedId = new ConcurrentHashMap<>();
    private final Map<String, Long> committedRecords = new ConcurrentHashMap<>();
    final Stats stats = new Stats();

    /** Counters for status and statistics; written on the coordinator thread. */
    static final class Stats {
        volatile long completed;
        volatile long failed;
        volatile long restarts;
        volatile CheckpointStats last;
        volatile long lastFlushMillis;
        /** The latest failed write, while the flush has not caught up; null otherwise. */
        volatile String storageError;

        private final Deque<CheckpointStats> history = new ArrayDeque<>();

        volatile long restores;

        synchronized void add(CheckpointStats s) {
            history.addLast(s);
            while (history.size() > HISTORY) {
                history.removeFirst();
            }
        }

        /** Checkpoint {@code id} reached storage: its entry in the history says when and how fast. */
        synchronized void flushed(long id, long at, long millis) {
            List<CheckpointStats> all = new ArrayList<>(history);
            history.clear();
            for (CheckpointStats s : all) {
                history.addLast(s.id() == id && s.completed() ? s.flushed(at, millis) : s);
            }
        }

        synchronized List<CheckpointStats> history() {
            return new ArrayList<>(history);
        }
    }

    /** What the user asked to restore from; used by the first attempt only, then null. */
    private RestoreRequest restore;

    PipelineMaster(
            JobMaster job,
            CairnNode node,
            PipelineDefinition definition,
            PipelineKey key,
            String fingerprint,
            RestoreRequest restore) {
        this.job = job;
        this.restore = restore;
        this.node = node;
        this.definition = definition;
        this.key = key;
        this.fingerprint = fingerprint;
        this.snapshots = new PipelineSnapshots(node.maps(), key, node.io());
        for (String task : definition.taskIds()) {
            if (task.startsWith("sink-")) {
                sinks.add(task);
            }
        }
    }

    // ================================================================ control thread

    void start() throws Exception {
        EngineConfig config = node.config();
        flusher = new PipelineFlusher(
                snapshots, node.storage(), config.checkpoint().storage().maxRetained(), node.io(), this);
        ids = new IdLease(snapshots, node.storage(), node.io());
        startAttempt("start");
    }

    private void startAttempt(String why) {
        stopCoordinator();
        int previous = snapshots.record().attempt();
        cancelTasks(Math.max(previous, attempt));
        node.slots().release(key);
        if (job.stopped()) {
            return;
        }
        attempt = snapshots.nextAttempt();
        committedId.clear();
        Recovery recovery;
        try {
            recovery = restore != null
                    ? RecoveryPlanner.exact(snapshots, node.storage(), fingerprint, restore)
                    : RecoveryPlanner.plan(snapshots, node.storage(), fingerprint);
            restore = null;
        } catch (IncompatibleCheckpointException e) {
            job.fail(e.getMessage());
            return;
        } catch (Exception e) {
            retryLater("cannot read the checkpoints of " + key + ": " + e.getMessage());
            return;
        }
        CompletedCheckpoint restored = recovery.checkpoint().orElse(null);
        if (restored != null && restored.finished() && restored.type() == CheckpointType.CHECKPOINT) {
            LOG.info("{} finished before (checkpoint {}); nothing to run", key, restored.id());
            finishedBeforeStart = true;
            finished = true;
            job.pipelineFinished();
            return;
        }
        long floor = Math.max(
                recovery.highestStoredId(),
                restored == null ? -1 : restored.id().value());
        snapshots.issueAbove(floor);
        if (restored != null && recovery.source().equals("storage")) {
            snapshots.restoredFromStorage(restored.id().value());
        }
        restoredFrom = restored == null ? -1 : restored.id().value();
        if (restored != null) {
            stats.restores++;
        }
        restoredSource = recovery.source();
        restoredType = restored == null ? CheckpointType.CHECKPOINT : restored.type();
        Map<String, byte[]> states = new HashMap<>();
        if (restored != null) {
            for (TaskState state : restored.taskStates()) {
                states.put(state.taskId(), state.state());
            }
        }
        // The coordinator exists before the tasks do: a source can run dry, or a task fail, before
        // deploy() returns, and what it reports must reach a coordinator, not be dropped.
        coordinator = newCoordinator();
        try {
            placement = place();
            deploy(states);
        } catch (Exception e) {
            stopCoordinator();
            node.slots().release(key);
            retryLater("cannot deploy " + key + " attempt " + attempt + ": " + e.getMessage());
            return;
        }
        restartDelay = 100;
        LOG.info(
                "{} attempt {} running ({}), restored from {}",
                key,
                attempt,
                why,
                restored == null
                        ? "nothing (fresh start)"
                        : "checkpoint " + restored.id() + " in " + recovery.source());
        coordinator.start();
        flusher.wake();
    }

    private void retryLater(String problem) {
        LOG.warn("{}; retrying in {} ms", problem, restartDelay);
        int delay = restartDelay;
        restartDelay = Math.min(5_000, restartDelay * 2);
        job.schedule(() -> startAttempt("retry"), delay);
    }

    private Map<Integer, Member> place() {
        return node.slots()
                .place(
                        key,
                        definition.parallelism(),
                        attempt,
                        new ArrayList<>(node.hazelcast().getCluster().getMembers()));
    }

    private void deploy(Map<String, byte[]> states) throws Exception {
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
                            attempt,
                            node.hazelcast()
                                    .getCluster()
                                    .getLocalMember()
                                    .getUuid()
                                    .toString(),
                            restored)));
        }
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
                .get(DEPLOY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        for (CompletableFuture<Object> reply : replies) {
            if (reply.get() instanceof Messages.Reply r && !r.ok()) {
                throw new IllegalStateException(r.message());
            }
        }
    }

    private CheckpointCoordinator newCoordinator() {
        int myAttempt = attempt;
        Map<String, String> metadata = Map.of(
                CompletedCheckpoint.META_JOB_SPEC,
                fingerprint,
                CompletedCheckpoint.META_ATTEMPT,
                Integer.toString(myAttempt));
        Set<String> sources = new LinkedHashSet<>();
        for (String task : definition.taskIds()) {
            if (task.startsWith("source-")) {
                sources.add(task);
            }
        }
        return new CheckpointCoordinator(
                new CheckpointCoordinator.Setup(
                        key,
                        definition.taskIds(),
                        sources,
                        metadata,
                        ids,
                        new Gateway(myAttempt),
                        snapshots,
                        flusher::backlogFull,
                        new AttemptListener(myAttempt)),
                node.config().checkpoint(),
                job.scheduler());
    }

    private void stopCoordinator() {
        if (coordinator != null) {
            coordinator.stop();
            coordinator = null;
        }
    }

    /** Stops this pipeline's tasks of every attempt up to {@code upTo}, on every member, and waits. */
    private void cancelTasks(int upTo) {
        List<CompletableFuture<Object>> replies = new ArrayList<>();
        for (Member member : node.hazelcast().getCluster().getMembers()) {
            replies.add(node.send(member, new Messages.Cancel(key.jobId().value(), key.pipeline(), upTo)));
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
        if (c == null || finished) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException(key + " is " + (finished ? "finished" : "restarting; try again")));
        }
        return c.triggerSavepoint();
    }

    /** Waits (on the caller's thread) until checkpoint {@code id} is in storage. */
    void awaitStored(long id, long deadline) throws TimeoutException, InterruptedException {
        while (snapshots.record().flushedUpTo() < id) {
            if (System.currentTimeMillis() > deadline) {
                throw new TimeoutException(key + " did not store savepoint " + id + " in time");
            }
            Thread.sleep(20);
        }
    }

    void memberRemoved(Member member) {
        if (!finished && coordinator != null && placement.containsValue(member)) {
            restart("member " + member.getAddress() + " left");
        }
    }

    private void restart(String why) {
        if (finished || job.stopped()) {
            return;
        }
        stats.restarts++;
        LOG.warn("Restarting {} from its latest checkpoint: {}", key, why);
        job.changed();
        startAttempt(why);
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
        if (snapshots.record().flushedUpTo() < finalId) {
            return;
        }
        finished = true;
        stopCoordinator();
        cancelTasks(attempt);
        node.slots().release(key);
        LOG.info("{} finished: final checkpoint {} committed and stored", key, finalId);
        job.pipelineFinished();
    }

    /** Stops the pipeline for good (job cancelled, or this member stops being master). */
    void stop(boolean tellMembers) {
        stopCoordinator();
        if (flusher != null) {
            flusher.close();
        }
        if (tellMembers) {
            cancelTasks(attempt);
        }
        node.slots().release(key);
    }

    // ================================================================ any thread

    void acknowledged(Messages.Ack ack) {
        CheckpointCoordinator c = coordinatorOf(ack.attempt());
        if (c != null) {
            c.acknowledge(ack.id(), ack.taskId(), ack.state());
        }
    }

    /**
     * The coordinator of {@code taskAttempt}, or null if that attempt is over or not running yet.
     * The coordinator is read before the attempt: a restart sets the new attempt before it creates
     * the new coordinator, so a coordinator read first belongs to the attempt read after it, if that
     * still matches. Read the other way round, a restart in between would hand an event of the old
     * attempt (a source that finished) to the new attempt's coordinator.
     */
    private CheckpointCoordinator coordinatorOf(int taskAttempt) {
        CheckpointCoordinator c = coordinator;
        return taskAttempt == attempt ? c : null;
    }

    void taskEvent(Messages.TaskEvent event) {
        if (event.attempt() != attempt) {
            return; // a task of an earlier attempt
        }
        CheckpointCoordinator c = coordinatorOf(event.attempt());
        switch (event.kind()) {
            case SOURCE_FINISHED -> {
                if (c != null) {
                    c.sourceFinished(event.taskId());
                }
            }
            case FAILED -> {
                if (c != null) {
                    c.taskFailed(event.taskId(), event.detail());
                }
            }
            case COMMITTED -> {
                committedId.merge(event.taskId(), event.id(), Math::max);
                committedRecords.merge(event.taskId(), event.records(), Math::max);
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
            checkpointCompleted(stats);
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
        public void failoverRequired(FailureReason reason, String detail) {
            job.control(() -> {
                if (attempt == myAttempt && coordinator != null) {
                    restart(detail);
                }
            });
        }
    }

    private void checkpointCompleted(CheckpointStats s) {
        stats.completed++;
        stats.last = s;
        stats.add(s);
        if (s.finalCheckpoint()) {
            finalId = s.id();
        }
        flusher.completed(s.id());
        if (s.finalCheckpoint()) {
            // The tasks were told before this ran, and a flush already under way may have stored it:
            // the sinks' commits and the flush may both have come and gone while finalId was unset.
            job.control(this::checkFinished);
        }
        job.changed();
    }

    private void checkpointFailed(CheckpointStats s) {
        if (s.reason() != FailureReason.PIPELINE_STOPPED) {
            stats.failed++;
            stats.add(s);
            job.changed();
        }
    }

    @Override
    public void flushFailed(long id, Exception error, int failures) {
        stats.storageError = "pipeline " + key.pipeline() + ": checkpoint " + id + " not in storage after " + failures
                + (failures == 1 ? " attempt" : " attempts") + ", retrying: " + error.getMessage();
        job.changed();
    }

    @Override
    public void flushed(long id, long millis, int backlog) {
        stats.lastFlushMillis = millis;
        stats.storageError = null;
        stats.flushed(id, System.currentTimeMillis(), millis);
        CheckpointCoordinator c = coordinator;
        if (c != null) {
            c.backlogChanged();
        }
        job.changed();
        if (id >= finalId && finalId >= 0) {
            job.control(this::checkFinished);
        }
    }

    // ================================================================ status

    boolean finished() {
        return finished;
    }

    boolean finishedBeforeStart() {
        return finishedBeforeStart;
    }

    long committedRecords() {
        return committedRecords.values().stream().mapToLong(Long::longValue).sum();
    }

    int backlog() {
        return flusher == null ? 0 : flusher.backlog();
    }

    int attempt() {
        return attempt;
    }

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
        private final int gatewayAttempt;

        Gateway(int attempt) {
            this.gatewayAttempt = attempt;
        }

        private void toMembers(Object message) {
            for (Member member : new LinkedHashSet<>(placement.values())) {
                node.send(member, message).exceptionally(e -> null); // a lost member is handled by membership
            }
        }

        @Override
        public void trigger(long id, boolean finalCheckpoint) {
            toMembers(new Messages.Trigger(key.jobId().value(), key.pipeline(), gatewayAttempt, id, finalCheckpoint));
        }

        @Override
        public void complete(long id) {
            toMembers(new Messages.Notify(key.jobId().value(), key.pipeline(), gatewayAttempt, id, true));
        }

        @Override
        public void abort(long id) {
            toMembers(new Messages.Notify(key.jobId().value(), key.pipeline(), gatewayAttempt, id, false));
        }
    }
}
