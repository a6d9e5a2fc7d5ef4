package dev.cairn.checkpoint.runtime;

import dev.cairn.checkpoint.api.PipelineDefinition;
import dev.cairn.checkpoint.api.PipelineDefinition.Shape;
import dev.cairn.checkpoint.api.PipelineDefinition.SubtaskOperators;
import dev.cairn.checkpoint.api.TaskContext;
import dev.cairn.checkpoint.api.config.QueueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subtask of a pipeline running on this member: its tasks, each on a thread, wired with
 * channels of the configured {@code queue-type}.
 */
public final class TaskGroup {
    private static final Logger LOG = LoggerFactory.getLogger(TaskGroup.class);

    private final String name;
    private final List<SourceTask> sources = new ArrayList<>();
    private final List<Task> tasks = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    /** A group outside any cluster (tests, tools): its tasks' context names it as the job. */
    public TaskGroup(
            String name,
            Shape shape,
            int subtask,
            SubtaskOperators operators,
            Map<String, byte[]> restored,
            QueueType queueType,
            TaskEvents events) {
        this(name, shape, subtask, operators, restored, queueType, events, TaskContext.Execution.standalone(name));
    }

    /**
     * @param name for thread names, e.g. {@code job-1/1#3 attempt 2}
     * @param restored each task's state from the checkpoint restored from; empty for a fresh start
     * @param execution what each task's {@link TaskContext} says of the job and its execution
     */
    public TaskGroup(
            String name,
            Shape shape,
            int subtask,
            SubtaskOperators operators,
            Map<String, byte[]> restored,
            QueueType queueType,
            TaskEvents events,
            TaskContext.Execution execution) {
        this.name = name;
        if (operators.sources().size() != shape.sources()
                || operators.transforms().size() != shape.transforms()) {
            throw new IllegalArgumentException("operators do not match the pipeline's shape " + shape);
        }
        List<String> ids = PipelineDefinition.taskIds(shape, subtask);
        int sourceCount = shape.sources();
        int transformCount = shape.transforms();
        // Wired from the sink upstream, so that each task is built with the channel it writes to.
        String sinkId = ids.get(ids.size() - 1);
        Signal sinkSignal = new Signal();
        List<Channel> inputs = List.of(Channel.create(queueType, sinkSignal));
        List<Task> upstreamFirst = new ArrayList<>();
        upstreamFirst.add(
                new ProcessingTask(sinkId, operators.sink(), restored.get(sinkId), sinkSignal, inputs, null, events));
        for (int t = transformCount - 1; t >= 0; t--) {
            String id = ids.get(sourceCount + t);
            Signal signal = new Signal();
            List<Channel> own = new ArrayList<>();
            for (int i = 0; i < (t == 0 ? sourceCount : 1); i++) {
                own.add(Channel.create(queueType, signal));
            }
            upstreamFirst.add(
                    0,
                    new ProcessingTask(
                            id, operators.transforms().get(t), restored.get(id), signal, own, inputs.get(0), events));
            inputs = own;
        }
        for (int k = sourceCount - 1; k >= 0; k--) {
            String id = ids.get(k);
            SourceTask source = new SourceTask(id, operators.sources().get(k), restored.get(id), inputs.get(k), events);
            sources.add(0, source);
            upstreamFirst.add(0, source);
        }
        tasks.addAll(upstreamFirst);
        for (Task task : tasks) {
            task.context = execution.of(subtask, task.id);
        }
    }

    public void start() {
        for (Task task : tasks) {
            Thread thread = new Thread(task, "cairn " + name + " " + task.id);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /** Starts checkpoint {@code checkpointId} at every source of the subtask. */
    public void trigger(long checkpointId, boolean finalCheckpoint) {
        for (SourceTask source : sources) {
            source.send(new Task.Trigger(checkpointId, finalCheckpoint));
        }
    }

    public void complete(long checkpointId) {
        for (Task task : tasks) {
            task.send(new Task.Complete(checkpointId));
        }
    }

    public void abort(long checkpointId) {
        for (Task task : tasks) {
            task.send(new Task.Abort(checkpointId));
        }
    }

    /** Stops every task and waits (up to {@code millis}) for their threads to end. */
    public void stop(long millis) {
        for (Task task : tasks) {
            task.stop();
        }
        for (Thread thread : threads) {
            thread.interrupt();
        }
        long deadline = System.currentTimeMillis() + millis;
        for (Thread thread : threads) {
            try {
                thread.join(Math.max(1, deadline - System.currentTimeMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (thread.isAlive()) {
                LOG.warn("Task thread {} did not stop within {} ms", thread.getName(), millis);
            }
        }
    }

    public String name() {
        return name;
    }
}
