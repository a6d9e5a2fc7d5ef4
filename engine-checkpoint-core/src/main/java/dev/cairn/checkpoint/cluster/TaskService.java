package dev.cairn.checkpoint.cluster;

import dev.cairn.checkpoint.config.QueueType;
import dev.cairn.checkpoint.runtime.JobDefinition;
import dev.cairn.checkpoint.runtime.JobDefinitions;
import dev.cairn.checkpoint.runtime.PipelineDefinition;
import dev.cairn.checkpoint.runtime.TaskEvents;
import dev.cairn.checkpoint.runtime.TaskGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tasks this member runs: the subtask groups deployed to it, by job, pipeline and subtask,
 * each of one execution attempt. Reports task events to the master.
 */
final class TaskService {
    private static final Logger LOG = LoggerFactory.getLogger(TaskService.class);
    private static final long STOP_MILLIS = 10_000;

    private record GroupKey(String jobId, String pipeline, int subtask) {}

    private record Running(int attempt, TaskGroup group) {}

    private final CairnNode node;
    private final QueueType queueType;
    private final Map<GroupKey, Running> groups = new ConcurrentHashMap<>();
    /** Set once the member closes: a deploy arriving later would start tasks that no one stops. */
    private boolean closed;

    TaskService(CairnNode node, QueueType queueType) {
        this.node = node;
        this.queueType = queueType;
    }

    synchronized Messages.Reply deploy(Messages.Deploy deploy) {
        if (closed) {
            return Messages.Reply.error("this member is shutting down");
        }
        GroupKey key = new GroupKey(deploy.jobId(), deploy.pipeline(), deploy.subtask());
        Running existing = groups.get(key);
        if (existing != null) {
            if (existing.attempt() >= deploy.attempt()) {
                return Messages.Reply.error("subtask already runs attempt " + existing.attempt());
            }
            existing.group().stop(STOP_MILLIS); // a zombie of an older attempt
            groups.remove(key);
        }
        try {
            JobDefinition definition = JobDefinitions.find(deploy.type(), node.classLoader())
                    .orElseThrow(
                            () -> new IllegalArgumentException("no job type '" + deploy.type() + "' on this member"));
            PipelineDefinition pipeline = definition.pipelines(deploy.spec()).stream()
                    .filter(p -> p.name().equals(deploy.pipeline()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no pipeline " + deploy.pipeline()));
            TaskEvents events = new RemoteEvents(deploy.jobId(), deploy.pipeline(), deploy.attempt());
            String name = deploy.jobId() + "/" + deploy.pipeline() + "#" + deploy.subtask() + " a" + deploy.attempt();
            TaskGroup group = new TaskGroup(
                    name,
                    pipeline.shape(),
                    deploy.subtask(),
                    pipeline.create(deploy.subtask(), deploy.attempt()),
                    deploy.restored(),
                    queueType,
                    events);
            groups.put(key, new Running(deploy.attempt(), group));
            group.start();
            return Messages.Reply.OK;
        } catch (Exception e) {
            LOG.warn("Cannot deploy {}/{} subtask {}", deploy.jobId(), deploy.pipeline(), deploy.subtask(), e);
            return Messages.Reply.error("cannot deploy subtask " + deploy.subtask() + ": " + e.getMessage());
        }
    }

    void trigger(Messages.Trigger trigger) {
        forEach(
                trigger.jobId(),
                trigger.pipeline(),
                trigger.attempt(),
                g -> g.trigger(trigger.id(), trigger.finalCheckpoint()));
    }

    void notify(Messages.Notify notify) {
        forEach(notify.jobId(), notify.pipeline(), notify.attempt(), g -> {
            if (notify.complete()) {
                g.complete(notify.id());
            } else {
                g.abort(notify.id());
            }
        });
    }

    synchronized Messages.Reply cancel(Messages.Cancel cancel) {
        List<TaskGroup> stopping = new ArrayList<>();
        groups.entrySet().removeIf(e -> {
            GroupKey key = e.getKey();
            boolean match = key.jobId().equals(cancel.jobId())
                    && key.pipeline().equals(cancel.pipeline())
                    && e.getValue().attempt() <= cancel.upToAttempt();
            if (match) {
                stopping.add(e.getValue().group());
            }
            return match;
        });
        stopping.forEach(g -> g.stop(STOP_MILLIS));
        return Messages.Reply.OK;
    }

    private void forEach(String jobId, String pipeline, int attempt, java.util.function.Consumer<TaskGroup> action) {
        groups.forEach((key, running) -> {
            if (key.jobId().equals(jobId) && key.pipeline().equals(pipeline) && running.attempt() == attempt) {
                action.accept(running.group());
            }
        });
    }

    /** Stops every task of this member. */
    synchronized void stopAll() {
        closed = true;
        groups.values().forEach(r -> r.group().stop(STOP_MILLIS));
        groups.clear();
    }

    int runningGroups() {
        return groups.size();
    }

    /** Task events, sent to whichever member is master when they happen. */
    private final class RemoteEvents implements TaskEvents {
        private final String jobId;
        private final String pipeline;
        private final int attempt;

        RemoteEvents(String jobId, String pipeline, int attempt) {
            this.jobId = jobId;
            this.pipeline = pipeline;
            this.attempt = attempt;
        }

        @Override
        public void acknowledged(long checkpointId, String taskId, byte[] state) {
            node.sendToMaster(new Messages.Ack(jobId, pipeline, attempt, checkpointId, taskId, state));
        }

        @Override
        public void sourceFinished(String taskId) {
            event(taskId, Messages.TaskEvent.Kind.SOURCE_FINISHED, -1, 0, "");
        }

        @Override
        public void committed(long checkpointId, String taskId, long records) {
            event(taskId, Messages.TaskEvent.Kind.COMMITTED, checkpointId, records, "");
        }

        @Override
        public void failed(String taskId, Throwable error) {
            event(taskId, Messages.TaskEvent.Kind.FAILED, -1, 0, String.valueOf(error));
        }

        private void event(String taskId, Messages.TaskEvent.Kind kind, long id, long records, String detail) {
            node.sendToMaster(new Messages.TaskEvent(jobId, pipeline, attempt, taskId, kind, id, records, detail));
        }
    }
}
