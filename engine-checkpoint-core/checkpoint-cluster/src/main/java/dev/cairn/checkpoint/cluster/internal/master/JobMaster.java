package dev.cairn.checkpoint.cluster.internal.master;

import com.hazelcast.cluster.Member;
import dev.cairn.checkpoint.api.CairnException;
import dev.cairn.checkpoint.api.CheckpointStats;
import dev.cairn.checkpoint.api.JobDefinition;
import dev.cairn.checkpoint.api.JobFailure;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.PipelineDefinition;
import dev.cairn.checkpoint.api.PipelineStats;
import dev.cairn.checkpoint.api.RestoreRequest;
import dev.cairn.checkpoint.cluster.internal.node.Node;
import dev.cairn.checkpoint.cluster.internal.node.Threads;
import dev.cairn.checkpoint.cluster.internal.rpc.JobRecords;
import dev.cairn.checkpoint.cluster.internal.rpc.Messages;
import dev.cairn.checkpoint.coordinator.ExecutorScheduler;
import dev.cairn.checkpoint.coordinator.Scheduler;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job on the master member: its pipelines' masters, the job's record in the cluster, and a
 * status line every {@code print-execution-info-interval}.
 *
 * <p>Two threads of its own: the control thread for lifecycle work (deploying, restarting,
 * finishing; it may block on the cluster) and the coordinator thread shared by the job's
 * checkpoint coordinators (never blocks).
 */
public final class JobMaster {
    private static final Logger LOG = LoggerFactory.getLogger(JobMaster.class);
    private static final long PUBLISH_MILLIS = 200;
    /** How long the record of an ended job stays in the cluster (SeaTunnel keeps history a day). */
    static final long ENDED_JOB_TTL_HOURS = 24;
    /** How long a cancel, or a savepoint with stop, waits for the job's tasks to stop. */
    static final long END_WAIT_SECONDS = 60;

    private final Node node;
    /** Where subtasks run: this master's placement, shared by its jobs. */
    private final SlotTable slots;

    private final JobSpec spec;
    private final Consumer<JobMaster> onEnd;
    private final Consumer<JobMaster> onDeposed;
    private final ScheduledThreadPoolExecutor control;
    private final ExecutorScheduler scheduler;
    private final List<PipelineMaster> pipelines = new ArrayList<>();
    private final AtomicBoolean dirty = new AtomicBoolean(true);
    /** Whether the last publish failed (written by whichever thread publishes). */
    private volatile boolean publishFailing;

    private final long startedAt = System.currentTimeMillis();
    private volatile boolean stopped;
    /** Completes once the job has ended (its final record published), or fails if it never will here. */
    private final CompletableFuture<JobState> ended = new CompletableFuture<>();

    private volatile JobState state = JobState.SUBMITTED;
    private volatile String message = "";
    /** Why the job failed, once it has (set before its state says so). */
    private volatile JobFailure failure;
    /** What the job's previous master counted (after a takeover): counters continue from there. */
    private final JobStatus previous;

    public JobMaster(
            Node node,
            SlotTable slots,
            JobSpec spec,
            JobDefinition definition,
            JobStatus previous,
            RestoreRequest restore,
            Consumer<JobMaster> onEnd,
            Consumer<JobMaster> onDeposed) {
        this.node = node;
        this.slots = slots;
        this.spec = spec;
        this.previous = previous;
        this.onEnd = onEnd;
        this.onDeposed = onDeposed;
        this.control = new ScheduledThreadPoolExecutor(1, Threads.daemon("cairn-job-" + spec.jobId()));
        // Once shut down, delayed work (a retry, a status line) has nothing left to act on.
        control.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.scheduler = new ExecutorScheduler("cairn-coordinator-" + spec.jobId());
        String fingerprint = definition.fingerprint(spec);
        for (PipelineDefinition pipeline : definition.pipelines(spec)) {
            pipelines.add(new PipelineMaster(
                    this, node, pipeline, new PipelineKey(spec.jobId(), pipeline.name()), fingerprint, restore));
        }
    }

    String jobId() {
        return spec.jobId().value();
    }

    JobSpec spec() {
        return spec;
    }

    SlotTable slots() {
        return slots;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    boolean stopped() {
        return stopped;
    }

    public void start(boolean takenOver) {
        control(() -> {
            state = JobState.RUNNING;
            publish();
            for (PipelineMaster pipeline : pipelines) {
                try {
                    pipeline.start();
                } catch (Exception e) {
                    fail(
                            JobFailure.Reason.CANNOT_START,
                            "cannot start pipeline " + pipeline.key() + ": " + e.getMessage());
                    return;
                }
            }
            LOG.info("Job {} {}", jobId(), takenOver ? "taken over by this master" : "started");
        });
        long every = node.config().printExecutionInfoInterval().toMillis();
        onControlThread(() ->
                control.scheduleWithFixedDelay(() -> LOG.info(statusLine()), every, every, TimeUnit.MILLISECONDS));
        onControlThread(() -> control.scheduleWithFixedDelay(
                () -> {
                    if (dirty.getAndSet(false)) {
                        publish();
                    }
                },
                PUBLISH_MILLIS,
                PUBLISH_MILLIS,
                TimeUnit.MILLISECONDS));
    }

    /** Runs lifecycle work on the control thread. */
    public void control(Runnable work) {
        onControlThread(() -> control.execute(guard(work)));
    }

    public void schedule(Runnable work, long delayMillis) {
        onControlThread(() -> control.schedule(guard(work), delayMillis, TimeUnit.MILLISECONDS));
    }

    /**
     * Hands work to the control thread. The job may end, and the thread shut down, at any moment
     * on that very thread: work handed over afterwards has nothing left to act on and is dropped,
     * so that a caller (closing the member, an ack, a retry) never fails on a job that just ended.
     */
    private void onControlThread(Runnable handOver) {
        try {
            handOver.run();
        } catch (RejectedExecutionException e) {
            LOG.debug("Job {} has ended; work handed to it afterwards is dropped", jobId());
        }
    }

    private Runnable guard(Runnable work) {
        return () -> {
            if (stopped) {
                return;
            }
            try {
                work.run();
            } catch (RuntimeException e) {
                LOG.error("Job {} control task failed", jobId(), e);
            }
        };
    }

    void acknowledged(Messages.Ack ack) {
        PipelineMaster pipeline = pipeline(ack.pipeline());
        if (pipeline != null) {
            pipeline.acknowledged(ack);
        }
    }

    void taskEvent(Messages.TaskEvent event) {
        PipelineMaster pipeline = pipeline(event.pipeline());
        if (pipeline != null) {
            pipeline.taskEvent(event);
        }
    }

    private PipelineMaster pipeline(String name) {
        for (PipelineMaster pipeline : pipelines) {
            if (pipeline.key().pipeline().equals(name)) {
                return pipeline;
            }
        }
        return null;
    }

    void memberRemoved(Member member) {
        control(() -> pipelines.forEach(p -> p.memberRemoved(member)));
    }

    /** Something in the progress changed: the job record is rewritten soon. */
    void changed() {
        dirty.set(true);
    }

    /** A pipeline finished; when all have, so has the job. On the control thread. */
    void pipelineFinished() {
        if (pipelines.stream().allMatch(PipelineMaster::finished)) {
            boolean before = pipelines.stream().allMatch(PipelineMaster::restoredFinal);
            end(JobState.FINISHED, before ? JobStatus.FINISHED_BEFORE : "finished");
        }
    }

    /**
     * A newer master holds one of the job's pipelines: this master steps down without a word to
     * the job's record, which the new master owns now. Its tasks (of its own epoch) stop; what it
     * may still have under way in the storage is fenced. On the control thread.
     */
    void deposed(String why) {
        if (stopped) {
            return;
        }
        LOG.warn("Job {}: this master steps down, a newer one took over: {}", jobId(), why);
        stopped = true;
        try {
            stopPipelines();
        } finally {
            shutdown();
            onDeposed.accept(this);
            leave();
        }
    }

    /**
     * Takes a savepoint of every pipeline and waits until each is in storage; with {@code stop},
     * then cancels the job. Blocks the calling (request) thread, not the job's threads.
     */
    Messages.Reply savepoint(boolean stop) {
        List<CompletableFuture<CompletedCheckpoint>> taken = new ArrayList<>();
        for (PipelineMaster pipeline : pipelines) {
            taken.add(pipeline.savepoint());
        }
        long deadline = System.currentTimeMillis()
                + node.config().checkpoint().timeout().toMillis()
                + 60_000;
        List<String> done = new ArrayList<>();
        Map<String, Long> ids = new LinkedHashMap<>();
        try {
            for (int i = 0; i < pipelines.size(); i++) {
                // A job that ends meanwhile takes no savepoint: waiting for it would wait out the deadline.
                CompletableFuture.anyOf(taken.get(i), ended)
                        .get(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                if (!taken.get(i).isDone()) {
                    return Messages.Reply.error(
                            CairnException.Reason.JOB_NOT_RUNNING, "no savepoint: job " + jobId() + " ended first");
                }
                CompletedCheckpoint savepoint = taken.get(i).get();
                try {
                    pipelines.get(i).awaitStored(savepoint.id().value(), deadline);
                } catch (IllegalStateException e) {
                    return Messages.Reply.error(
                            CairnException.Reason.SAVEPOINT_FAILED, "no savepoint: " + e.getMessage() + stillRunning());
                }
                done.add("pipeline " + savepoint.pipeline().pipeline() + ": savepoint " + savepoint.id());
                ids.put(savepoint.pipeline().pipeline(), savepoint.id().value());
            }
        } catch (ExecutionException e) {
            return Messages.Reply.error(
                    CairnException.Reason.SAVEPOINT_FAILED,
                    "no savepoint: " + e.getCause().getMessage() + stillRunning());
        } catch (TimeoutException e) {
            return Messages.Reply.error(
                    CairnException.Reason.TIMEOUT, "no savepoint within the deadline; the job keeps running");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Messages.Reply.error(CairnException.Reason.INTERRUPTED, "interrupted");
        }
        String taken0 = String.join(", ", done);
        if (!stop) {
            return Messages.Reply.saved(ids, taken0);
        }
        control(() -> end(JobState.CANCELLED, "stopped with " + taken0));
        Messages.Reply stopped = awaitEnd(taken0 + "; ", "job stopped");
        // The savepoints are in storage whatever became of the stop: the answer names them.
        return new Messages.Reply(stopped.ok(), stopped.reason(), stopped.message(), new LinkedHashMap<>(ids));
    }

    /** For a failed savepoint's answer: the job was not stopped for it, unless it is ending anyway. */
    private String stillRunning() {
        return stopped ? "" : "; the job keeps running";
    }

    /** Cancels the job at a user's request: tasks stop, checkpoints stay. */
    public void cancel() {
        control(() -> end(JobState.CANCELLED, "cancelled"));
    }

    /**
     * Waits, on the caller's thread and at most {@link #END_WAIT_SECONDS}, for the end of the job
     * that the caller has just asked to be cancelled: whoever then resubmits it must not find it
     * still running. The reply is {@code done} (after {@code prefix}, what was achieved before) if
     * it was cancelled, else says what happened instead.
     */
    Messages.Reply awaitEnd(String prefix, String done) {
        String job = prefix + "job " + jobId();
        try {
            JobState end = ended.get(END_WAIT_SECONDS, TimeUnit.SECONDS);
            return end == JobState.CANCELLED
                    ? Messages.Reply.ok(prefix + done)
                    : Messages.Reply.error(
                            CairnException.Reason.JOB_NOT_RUNNING,
                            job + " had " + end.name().toLowerCase(Locale.ROOT) + " before it could be stopped");
        } catch (TimeoutException e) {
            return Messages.Reply.ok(
                    job + " is stopping: its tasks had not all stopped after " + END_WAIT_SECONDS + " s");
        } catch (ExecutionException e) {
            return Messages.Reply.error(
                    CairnException.Reason.JOB_MOVED,
                    job + " moved to another master before it could be stopped; ask again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Messages.Reply.error(
                    CairnException.Reason.INTERRUPTED, job + ": interrupted while waiting for it to stop");
        }
    }

    /** Ends the job FAILED for {@code why}. On the control thread. */
    void fail(JobFailure.Reason reason, String why) {
        LOG.error("Job {} failed ({}): {}", jobId(), reason, why);
        failure = new JobFailure(reason, why);
        end(JobState.FAILED, why);
    }

    /**
     * Ends the job: its tasks stop, then {@code onEnd} publishes the final record and forgets the
     * job in one step, so that whoever sees the job ended can submit it again at once.
     */
    private void end(JobState endState, String why) {
        state = endState;
        message = why;
        stopped = true;
        try {
            stopPipelines();
            if (endState == JobState.FINISHED) {
                // Its final checkpoints are in storage: the cluster's memory owes the job nothing
                // more. Cancelled and failed jobs keep theirs, to be resumed.
                pipelines.forEach(p -> node.maps().remove(p.key()));
            }
        } catch (RuntimeException e) {
            // The job ended all the same: what is left in the maps is garbage, not state.
            LOG.warn(
                    "Job {} ended, but its entries could not all be removed from the cluster's maps: {}",
                    jobId(),
                    e.toString());
        } finally {
            shutdown();
            onEnd.accept(this);
            ended.complete(endState);
        }
    }

    /**
     * Records that the job is suspended for {@code why} (its side of the cluster lost its quorum);
     * {@link #stop} follows. The record is written to this side's map: after the partition heals,
     * the side that kept its quorum holds the job's real record.
     */
    void suspend(String why) {
        state = JobState.SUSPENDED;
        message = why;
        publish();
    }

    /** Stops the job master (this member stops being master, or shuts down); tasks are cancelled. */
    public void stop() {
        stopped = true;
        onControlThread(() -> control.execute(() -> {
            try {
                stopPipelines();
            } finally {
                shutdown();
                leave();
            }
        }));
    }

    /** Stops every pipeline and its tasks; one that fails to stop (the cluster going away) does not keep the others running. */
    private void stopPipelines() {
        for (PipelineMaster pipeline : pipelines) {
            try {
                pipeline.stop(true);
            } catch (RuntimeException e) {
                LOG.warn("Job {}: stopping {} failed: {}", jobId(), pipeline.key(), e.toString());
            }
        }
    }

    /** Waits until a {@link #stop()} (or the end) has run to completion; false if not within the bound. */
    boolean awaitStopped(long millis) throws InterruptedException {
        return control.awaitTermination(millis, TimeUnit.MILLISECONDS);
    }

    /** Drops everything at once (a simulated crash): no message to anyone. */
    void abandon() {
        stopped = true;
        pipelines.forEach(p -> p.stop(false));
        shutdown();
        leave();
    }

    private void shutdown() {
        control.shutdown();
        scheduler.close();
    }

    /** The job goes on elsewhere (or nowhere, after a crash): whoever waits for its end here stops waiting. */
    private void leave() {
        ended.completeExceptionally(new IllegalStateException("job " + jobId() + " left this master without ending"));
    }

    /** Writes the job's record into the cluster. */
    void publish() {
        long committed = 0;
        long completed = previous == null ? 0 : previous.checkpointsCompleted();
        long failed = previous == null ? 0 : previous.checkpointsFailed();
        long commits = previous == null ? 0 : previous.checkpointsCommitted();
        long lastCommitted = previous == null ? -1 : previous.lastCommittedId();
        int backlog = 0;
        String storageError = null;
        int restarts = previous == null ? 0 : previous.restarts() + 1; // the takeover restarted the job
        long epoch = 0;
        List<String> warnings = new ArrayList<>();
        boolean restarting = false;
        CheckpointStats last = null;
        for (PipelineMaster p : pipelines) {
            committed += p.committedRecords();
            completed += p.stats.completed();
            failed += p.stats.failed();
            commits += p.stats.committed();
            lastCommitted = Math.max(lastCommitted, p.stats.lastCommittedId());
            backlog += p.backlog();
            epoch = Math.max(epoch, p.epoch());
            String error = p.stats.storageError();
            if (error != null) {
                storageError = storageError == null ? error : storageError + "; " + error;
            }
            if (p.fallback() != null) {
                warnings.add("pipeline " + p.key().pipeline() + ": " + p.fallback());
            }
            if (p.givenUp() != null) {
                warnings.add("pipeline " + p.key().pipeline() + ": " + p.givenUp());
            }
            String waiting = p.waiting();
            if (waiting != null && !p.finished()) {
                // Its first start is no restart, unless this master took the job over.
                restarting |= p.hasRun() || previous != null;
                warnings.add("pipeline " + p.key().pipeline() + ": " + waiting);
            }
            restarts += (int) p.stats.restarts();
            if (p.stats.last() != null && (last == null || p.stats.last().endedAt() > last.endedAt())) {
                last = p.stats.last();
            }
        }
        if (previous != null) {
            committed = Math.max(committed, previous.recordsCommitted()); // until every sink has reported again
        }
        ArrayList<PipelineStats> perPipeline = new ArrayList<>();
        for (PipelineMaster p : pipelines) {
            String name = p.key().pipeline();
            perPipeline.add(p.stats.record(name, p.backlog(), previous == null ? null : previous.pipeline(name)));
        }
        JobState shown = state == JobState.RUNNING && restarting ? JobState.RESTARTING : state;
        JobStatus record = new JobStatus(
                jobId(),
                spec.type(),
                new java.util.HashMap<>(spec.params()),
                shown,
                message,
                committed,
                completed,
                failed,
                last != null ? last.durationMillis() : previous != null ? previous.lastCheckpointMillis() : 0,
                last != null ? last.stateSize() : previous != null ? previous.lastCheckpointBytes() : 0,
                backlog,
                storageError,
                restarts,
                last != null ? last.id() : previous != null ? previous.lastCheckpointId() : -1,
                pipelines.stream()
                        .map(PipelineMaster::restoredFrom)
                        .distinct()
                        .reduce((a, b) -> a + ", " + b)
                        .orElse(""),
                pipelines.stream().mapToLong(p -> p.stats.restores()).sum()
                        + (previous == null ? 0 : previous.restores()),
                new ArrayList<>(history()),
                System.currentTimeMillis(),
                commits,
                lastCommitted,
                node.config().checkpoint().commitAfter().yamlName(),
                warnings.isEmpty() ? null : String.join("; ", warnings),
                epoch,
                perPipeline,
                state == JobState.FAILED ? failure : null);
        try {
            if (state.done()) {
                // What clients and statistics show of an ended job, until it expires.
                node.maps().jobs().set(jobId(), JobRecords.encode(record), ENDED_JOB_TTL_HOURS, TimeUnit.HOURS);
            } else {
                node.maps().jobs().set(jobId(), JobRecords.encode(record));
            }
        } catch (RuntimeException e) {
            // Said once a spell: a record that cannot be written leaves every client blind.
            if (!publishFailing) {
                LOG.warn("Cannot publish the record of job {}; trying again: {}", jobId(), e.toString());
            }
            publishFailing = true;
            dirty.set(true);
            return;
        }
        publishFailing = false;
    }

    /** The recent checkpoints of every pipeline, oldest first. */
    List<CheckpointStats> history() {
        List<CheckpointStats> all = new ArrayList<>();
        pipelines.forEach(p -> all.addAll(p.stats.history()));
        all.sort(java.util.Comparator.comparingLong(CheckpointStats::triggeredAt));
        return all;
    }

    /** One compact line: state, progress, checkpoints, flush backlog, per pipeline. */
    String statusLine() {
        StringBuilder line =
                new StringBuilder("job ").append(jobId()).append(' ').append(state);
        for (PipelineMaster p : pipelines) {
            CheckpointStats last = p.stats.last();
            line.append(String.format(
                    Locale.ROOT,
                    " | pipeline %s epoch %d attempt %d: committed %,d records, checkpoints %d completed %d committed"
                            + " %d failed, last %s, last committed %s, backlog %d%s, restarts %d, restored from %s%s",
                    p.key().pipeline(),
                    p.epoch(),
                    p.attempt(),
                    p.committedRecords(),
                    p.stats.completed(),
                    p.stats.committed(),
                    p.stats.failed(),
                    last == null
                            ? "none"
                            : "#" + last.id() + " " + last.durationMillis() + " ms " + last.stateSize() + " B",
                    p.stats.lastCommittedId() < 0 ? "none" : "#" + p.stats.lastCommittedId(),
                    p.backlog(),
                    p.stats.storageError() == null ? "" : " (storage failing)",
                    p.stats.restarts(),
                    p.restoredFrom(),
                    p.waiting() == null || p.finished() ? "" : " (" + p.waiting() + ")"));
        }
        line.append(" | up ")
                .append((System.currentTimeMillis() - startedAt) / 1000)
                .append(" s");
        return line.toString();
    }
}
