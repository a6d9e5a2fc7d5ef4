package dev.cairn.checkpoint.cluster.internal.worker;

import com.hazelcast.cluster.Member;
import dev.cairn.checkpoint.api.CairnException;
import dev.cairn.checkpoint.api.JobDefinition;
import dev.cairn.checkpoint.api.PipelineDefinition;
import dev.cairn.checkpoint.api.TaskContext;
import dev.cairn.checkpoint.api.config.QueueType;
import dev.cairn.checkpoint.cluster.internal.node.Node;
import dev.cairn.checkpoint.cluster.internal.node.Threads;
import dev.cairn.checkpoint.cluster.internal.rpc.Messages;
import dev.cairn.checkpoint.io.Failures;
import dev.cairn.checkpoint.runtime.JobDefinitions;
import dev.cairn.checkpoint.runtime.TaskEvents;
import dev.cairn.checkpoint.runtime.TaskGroup;
import dev.cairn.checkpoint.snapshot.StateHandle;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.store.ChunkKey;
import dev.cairn.checkpoint.store.StateParts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tasks this member runs: the subtask groups deployed to it, by job, pipeline and subtask,
 * each of one execution attempt. Reports task events to the master.
 */
public final class TaskService {
    private static final Logger LOG = LoggerFactory.getLogger(TaskService.class);
    private static final long STOP_MILLIS = 10_000;

    private record GroupKey(String jobId, String pipeline, int subtask) {}

    /**
     * @param master the member that deployed it, by uuid
     * @param orphanSince since when this member has lost sight of that master (or its quorum), in
     *     epoch millis; 0 while it has not
     */
    private record Running(long epoch, int attempt, TaskGroup group, String master, AtomicLong orphanSince) {
        /** Whether this runs an older (epoch, attempt) than the one given. */
        boolean olderThan(long otherEpoch, int otherAttempt) {
            return epoch < otherEpoch || (epoch == otherEpoch && attempt < otherAttempt);
        }
    }

    private record PipelineOf(String jobId, String pipeline) {}

    /** States of a restore point this member read for the tasks it will run in one attempt. */
    private record Fetched(long epoch, int attempt, Map<String, byte[]> states, long at) {
        boolean olderThan(long otherEpoch, int otherAttempt) {
            return epoch < otherEpoch || (epoch == otherEpoch && attempt < otherAttempt);
        }
    }

    /** An (epoch, attempt) of a pipeline this member was told to cancel or deployed: nothing older is kept. */
    private record Settled(long epoch, int attempt) {
        boolean covers(long otherEpoch, int otherAttempt) {
            return otherEpoch < epoch || (otherEpoch == epoch && otherAttempt <= attempt);
        }

        static Settled newer(Settled a, Settled b) {
            return a == null || !a.covers(b.epoch, b.attempt) ? b : a; // the newer of the two
        }
    }

    /** How long this member keeps a part it put for it to store ({@code HeldParts}). */
    private static final Duration HELD_FOR = Duration.ofSeconds(60);

    /** How long fetched states wait for their deploy before they are dropped. */
    private static final long FETCHED_MILLIS = 10 * 60_000;

    private final Node node;
    private final QueueType queueType;
    private final Map<GroupKey, Running> groups = new ConcurrentHashMap<>();
    /** Puts large task states aside, off the tasks' threads. */
    private final ExecutorService stateWriter = Executors.newFixedThreadPool(2, Threads.daemon("cairn-state"));
    /** The newest master epoch each pipeline has deployed here: an older master is obeyed no more. */
    private final Map<PipelineOf, Long> epochs = new ConcurrentHashMap<>();
    /** Task states fetched for a coming deploy ({@link Messages.FetchParts}), by pipeline. */
    private final Map<PipelineOf, Fetched> fetched = new ConcurrentHashMap<>();
    /** By pipeline, the newest (epoch, attempt) cancelled or deployed here: states read for it or older are not kept. */
    private final Map<PipelineOf, Settled> settled = new ConcurrentHashMap<>();
    /** Set once the member closes: a deploy arriving later would start tasks that no one stops. */
    private boolean closed;

    public TaskService(Node node, QueueType queueType) {
        this.node = node;
        this.queueType = queueType;
    }

    public synchronized Messages.Reply deploy(Messages.Deploy deploy) {
        if (closed) {
            return Messages.Reply.error(CairnException.Reason.MEMBER_CLOSING, "this member is shutting down");
        }
        GroupKey key = new GroupKey(deploy.jobId(), deploy.pipeline(), deploy.subtask());
        PipelineOf pipelineOf = new PipelineOf(deploy.jobId(), deploy.pipeline());
        long newest = epochs.getOrDefault(pipelineOf, 0L);
        if (deploy.epoch() < newest) {
            return Messages.Reply.error(
                    CairnException.Reason.JOB_MOVED,
                    "a newer master (epoch " + newest + ") runs " + deploy.jobId() + "/" + deploy.pipeline()
                            + "; the master of epoch " + deploy.epoch() + " was superseded");
        }
        Running existing = groups.get(key);
        if (existing != null) {
            if (!existing.olderThan(deploy.epoch(), deploy.attempt())) {
                return Messages.Reply.error(
                        CairnException.Reason.JOB_MOVED,
                        "subtask already runs epoch " + existing.epoch() + " attempt " + existing.attempt());
            }
            existing.group().stop(STOP_MILLIS); // a zombie of an older attempt or master
            groups.remove(key);
        }
        if (deploy.epoch() > newest) {
            epochs.put(pipelineOf, deploy.epoch());
            stopOlderThan(deploy.jobId(), deploy.pipeline(), deploy.epoch());
        }
        Map<String, byte[]> restored = new java.util.HashMap<>(deploy.restored());
        // States read for an older attempt (one whose restore point was found unusable) go.
        Fetched mine = fetched.computeIfPresent(
                pipelineOf, (p, f) -> f.olderThan(deploy.epoch(), deploy.attempt()) ? null : f);
        settled.merge(pipelineOf, new Settled(deploy.epoch(), deploy.attempt()), Settled::newer);
        if (!deploy.fetched().isEmpty()) {
            for (String task : deploy.fetched()) {
                byte[] state = mine == null || mine.epoch() != deploy.epoch() || mine.attempt() != deploy.attempt()
                        ? null
                        : mine.states().get(task);
                if (state == null) {
                    return Messages.Reply.error(
                            CairnException.Reason.TIMEOUT,
                            "this member does not hold the restored state of " + task + " for epoch " + deploy.epoch()
                                    + " attempt " + deploy.attempt() + " (not read, or dropped)");
                }
                restored.put(task, state);
            }
        }
        try {
            JobDefinition definition = JobDefinitions.find(deploy.type(), node.classLoader())
                    .orElseThrow(
                            () -> new IllegalArgumentException("no job type '" + deploy.type() + "' on this member"));
            PipelineDefinition pipeline = definition.pipelines(deploy.spec()).stream()
                    .filter(p -> p.name().equals(deploy.pipeline()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no pipeline " + deploy.pipeline()));
            TaskEvents events = new RemoteEvents(deploy.jobId(), deploy.pipeline(), deploy.epoch(), deploy.attempt());
            String name = deploy.jobId() + "/" + deploy.pipeline() + "#" + deploy.subtask() + " e" + deploy.epoch()
                    + " a" + deploy.attempt();
            TaskGroup group = new TaskGroup(
                    name,
                    pipeline.shape(),
                    deploy.subtask(),
                    pipeline.create(deploy.subtask(), deploy.attempt()),
                    restored,
                    queueType,
                    events,
                    new TaskContext.Execution(deploy.jobId(), deploy.pipeline(), deploy.epoch(), deploy.attempt()));
            groups.put(key, new Running(deploy.epoch(), deploy.attempt(), group, deploy.master(), new AtomicLong()));
            if (!deploy.fetched().isEmpty()) {
                fetched.computeIfPresent(pipelineOf, (p, f) -> {
                    f.states().keySet().removeAll(deploy.fetched());
                    return f.states().isEmpty() ? null : f;
                });
            }
            group.start();
            return Messages.Reply.OK;
        } catch (Exception e) {
            LOG.warn("Cannot deploy {}/{} subtask {}", deploy.jobId(), deploy.pipeline(), deploy.subtask(), e);
            return Messages.Reply.error(
                    CairnException.Reason.INVALID_JOB,
                    "cannot deploy subtask " + deploy.subtask() + ": " + e.getMessage());
        }
    }

    public void trigger(Messages.Trigger trigger) {
        forEach(
                trigger.jobId(),
                trigger.pipeline(),
                trigger.epoch(),
                trigger.attempt(),
                g -> g.trigger(trigger.id(), trigger.finalCheckpoint()));
    }

    public void notify(Messages.Notify notify) {
        forEach(notify.jobId(), notify.pipeline(), notify.epoch(), notify.attempt(), g -> {
            if (notify.complete()) {
                g.complete(notify.id());
            } else {
                g.abort(notify.id());
            }
        });
    }

    /** Stops the tasks the cancel names: never one of a newer master than the one that sent it. */
    public synchronized Messages.Reply cancel(Messages.Cancel cancel) {
        PipelineOf pipelineOf = new PipelineOf(cancel.jobId(), cancel.pipeline());
        Settled cancelled = new Settled(cancel.epoch(), cancel.upToAttempt());
        settled.merge(pipelineOf, cancelled, Settled::newer);
        fetched.computeIfPresent(pipelineOf, (p, f) -> cancelled.covers(f.epoch(), f.attempt()) ? null : f);
        stopWhere(cancel.jobId(), cancel.pipeline(), r -> r.olderThan(cancel.epoch(), cancel.upToAttempt() + 1));
        return Messages.Reply.OK;
    }

    /**
     * Keeps states read for the tasks of {@code attempt} that this member will run, until their
     * deploy takes them (or {@value #FETCHED_MILLIS} ms pass). States of an attempt already
     * cancelled or deployed here, or older than those kept, are not kept.
     *
     * @return whether they are kept
     */
    public synchronized boolean fetched(
            String jobId, String pipeline, long epoch, int attempt, Map<String, byte[]> states) {
        if (!wanted(jobId, pipeline, epoch, attempt)) {
            return false;
        }
        long now = System.currentTimeMillis();
        Fetched kept = fetched.compute(new PipelineOf(jobId, pipeline), (p, f) -> {
            if (f != null && f.epoch() == epoch && f.attempt() == attempt) {
                f.states().putAll(states);
                return new Fetched(epoch, attempt, f.states(), now);
            }
            if (f != null && !f.olderThan(epoch, attempt)) {
                return f; // a newer attempt's
            }
            return new Fetched(epoch, attempt, new ConcurrentHashMap<>(states), now);
        });
        return kept.epoch() == epoch && kept.attempt() == attempt;
    }

    /** Whether states read for {@code attempt} of the pipeline may still be used here. */
    public boolean wanted(String jobId, String pipeline, long epoch, int attempt) {
        Settled done = settled.get(new PipelineOf(jobId, pipeline));
        return !closed && (done == null || !done.covers(epoch, attempt));
    }

    /** A newer master deployed the pipeline: tasks of older masters here are zombies. */
    private void stopOlderThan(String jobId, String pipeline, long epoch) {
        stopWhere(jobId, pipeline, r -> r.epoch() < epoch);
    }

    private void stopWhere(String jobId, String pipeline, java.util.function.Predicate<Running> which) {
        List<TaskGroup> stopping = new ArrayList<>();
        groups.entrySet().removeIf(e -> {
            GroupKey key = e.getKey();
            boolean match = key.jobId().equals(jobId) && key.pipeline().equals(pipeline) && which.test(e.getValue());
            if (match) {
                stopping.add(e.getValue().group());
            }
            return match;
        });
        stopping.forEach(g -> g.stop(STOP_MILLIS));
    }

    private void forEach(
            String jobId, String pipeline, long epoch, int attempt, java.util.function.Consumer<TaskGroup> action) {
        groups.forEach((key, running) -> {
            if (key.jobId().equals(jobId)
                    && key.pipeline().equals(pipeline)
                    && running.epoch() == epoch
                    && running.attempt() == attempt) {
                action.accept(running.group());
            }
        });
    }

    /** Stops every task of this member. */
    public synchronized void stopAll() {
        closed = true;
        stateWriter.shutdown();
        fetched.clear();
        groups.values().forEach(r -> r.group().stop(STOP_MILLIS));
        groups.clear();
    }

    public int runningGroups() {
        return groups.size();
    }

    /**
     * Checks, a few times a second, that each task group's master is still in sight and this side
     * of the cluster still has its quorum; a group that has lost either for longer than {@code
     * orphan-task-timeout} stops, committing nothing more. A master that is cut off cannot stop its
     * tasks itself, and must not need to.
     */
    public void startWatchdog() {
        try {
            node.io().scheduleWithFixedDelay(this::stopOrphans, 200, 200, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("Node closed before the task watchdog started");
        }
    }

    private void stopOrphans() {
        try {
            long now = System.currentTimeMillis();
            long limit = node.config().orphanTaskTimeout().toMillis();
            Set<String> present = new HashSet<>();
            for (Member member : node.hazelcast().getCluster().getMembers()) {
                present.add(member.getUuid().toString());
            }
            fetched.values().removeIf(f -> now - f.at() > FETCHED_MILLIS); // their deploy never came
            node.maps().heldParts().expire(HELD_FOR); // parts whose store is overdue are read from the map
            boolean quorum = node.quorum().holds();
            groups.forEach((key, running) -> {
                boolean seen = quorum && present.contains(running.master());
                if (seen) {
                    running.orphanSince().set(0);
                } else if (running.orphanSince().compareAndSet(0, now)) {
                    LOG.warn(
                            "Task group {} lost {}; it stops in {} ms unless that comes back",
                            running.group().name(),
                            quorum
                                    ? "its master"
                                    : "its quorum (" + node.quorum().describe() + ")",
                            limit);
                } else if (now - running.orphanSince().get() >= limit) {
                    stopOrphan(key, running, quorum);
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("Task watchdog: {}", e.toString());
        }
    }

    private synchronized void stopOrphan(GroupKey key, Running running, boolean quorum) {
        if (groups.remove(key, running)) {
            LOG.warn(
                    "Task group {} stopped: {} for longer than orphan-task-timeout",
                    running.group().name(),
                    quorum ? "its master left" : "this side of the cluster had no quorum");
            running.group().stop(STOP_MILLIS);
        }
    }

    /** Task events, sent to whichever member is master when they happen. */
    private final class RemoteEvents implements TaskEvents {
        private final String jobId;
        private final String pipeline;
        private final long epoch;
        private final int attempt;

        RemoteEvents(String jobId, String pipeline, long epoch, int attempt) {
            this.jobId = jobId;
            this.pipeline = pipeline;
            this.epoch = epoch;
            this.attempt = attempt;
        }

        /**
         * A state up to {@code inline-state-limit} travels in the acknowledgement. A larger one is
         * put aside by this member ({@link StateParts}, on partitions it owns) off the task's
         * thread, which only hands it over, and the acknowledgement carries its handle once every
         * chunk is held with its backups. If that fails, the state travels inline after all.
         */
        @Override
        public void acknowledged(long checkpointId, String taskId, byte[] state, long records) {
            if (state.length <= node.config().checkpoint().inlineStateLimit()) {
                ack(checkpointId, taskId, state, null, records);
                return;
            }
            PipelineKey key = PipelineKey.of(jobId, pipeline);
            String writer =
                    node.hazelcast().getCluster().getLocalMember().getUuid().toString();
            try {
                stateWriter.execute(() -> {
                    CompletionStage<TaskState> written;
                    try {
                        written = StateParts.write(
                                node.maps(), key, checkpointId, taskId, state, StateParts.CHUNK_SIZE, writer, true);
                    } catch (RuntimeException e) {
                        written = CompletableFuture.failedFuture(e);
                    }
                    written.whenComplete((part, error) -> {
                        if (error == null) {
                            ack(checkpointId, taskId, null, part.handle(), records);
                        } else {
                            Throwable cause = Failures.cause(error);
                            LOG.warn(
                                    "Cannot put aside the state of {} for checkpoint {} ({}); sending it inline",
                                    taskId,
                                    checkpointId,
                                    cause.toString());
                            ack(checkpointId, taskId, state, null, records);
                            if (cause instanceof StateParts.NotPutAside failed) {
                                forget(failed.chunks());
                            }
                        }
                    });
                });
            } catch (RejectedExecutionException e) {
                LOG.debug("This member is closing: checkpoint {} of {} is not acknowledged", checkpointId, taskId);
            }
        }

        /** Deletes the chunks of a part that was not put aside after all: nothing names those that landed. */
        private void forget(List<ChunkKey> chunks) {
            try {
                // Not on stateWriter: with the map unwell, deletes may block, and states wait there.
                node.io().execute(() -> {
                    try {
                        node.maps().deleteChunks(chunks);
                    } catch (RuntimeException e) {
                        LOG.debug("Cannot delete the chunks of a part not put aside; a later sweep does", e);
                    }
                });
            } catch (RejectedExecutionException e) {
                LOG.debug("This member is closing: the chunks of a part not put aside are left to a sweep");
            }
        }

        private void ack(long checkpointId, String taskId, byte[] state, StateHandle handle, long records) {
            node.sendToMaster(
                    new Messages.Ack(jobId, pipeline, epoch, attempt, checkpointId, taskId, state, handle, records));
        }

        @Override
        public void sourceFinished(String taskId) {
            event(taskId, Messages.TaskEvent.Kind.SOURCE_FINISHED, -1, 0, "");
        }

        @Override
        public void committed(long checkpointId, String taskId) {
            event(taskId, Messages.TaskEvent.Kind.COMMITTED, checkpointId, 0, "");
        }

        @Override
        public void failed(String taskId, Throwable error) {
            event(taskId, Messages.TaskEvent.Kind.FAILED, -1, 0, String.valueOf(error));
        }

        private void event(String taskId, Messages.TaskEvent.Kind kind, long id, long records, String detail) {
            node.sendToMaster(
                    new Messages.TaskEvent(jobId, pipeline, epoch, attempt, taskId, kind, id, records, detail));
        }
    }
}
