package dev.cairn.checkpoint.coordinator;

import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.coordinator.Scheduler.Cancellable;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.TaskState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** A triggered checkpoint collecting acknowledgements. Touched by the coordinator thread only. */
final class PendingCheckpoint {
    enum Ack {
        ACCEPTED,
        COMPLETE,
        UNKNOWN_TASK,
        DUPLICATE
    }

    final long id;
    final long triggeredAt;
    final boolean finalCheckpoint;
    final CheckpointType type;
    /** Savepoint requests this checkpoint answers. */
    final List<CompletableFuture<CompletedCheckpoint>> requests;

    private final List<String> tasks;
    private final Set<String> waiting;
    private final Map<String, TaskState> states = new LinkedHashMap<>();
    /** When each task acknowledged, in millis after the trigger. */
    private final HashMap<String, Long> ackMillis = new HashMap<>();

    private String lastTask;
    private long lastAckAt;
    Cancellable timeout;

    PendingCheckpoint(
            long id,
            long triggeredAt,
            boolean finalCheckpoint,
            CheckpointType type,
            List<CompletableFuture<CompletedCheckpoint>> requests,
            List<String> tasks) {
        this.id = id;
        this.triggeredAt = triggeredAt;
        this.finalCheckpoint = finalCheckpoint;
        this.type = type;
        this.requests = requests;
        this.tasks = tasks;
        this.waiting = new LinkedHashSet<>(tasks);
        this.lastAckAt = triggeredAt;
    }

    /** Records the sinks were given for this checkpoint (since the previous one), as acknowledged so far. */
    long records;

    Ack acknowledge(TaskState state, long records, long now) {
        String task = state.taskId();
        if (!tasks.contains(task)) {
            return Ack.UNKNOWN_TASK;
        }
        if (!waiting.remove(task)) {
            return Ack.DUPLICATE;
        }
        states.put(task, state);
        this.records += records;
        ackMillis.put(task, now - triggeredAt);
        lastTask = task;
        lastAckAt = now;
        return waiting.isEmpty() ? Ack.COMPLETE : Ack.ACCEPTED;
    }

    /** Every task's state, in the pipeline's task order. */
    List<TaskState> states() {
        List<TaskState> ordered = new ArrayList<>();
        for (String task : tasks) {
            ordered.add(states.get(task));
        }
        return ordered;
    }

    /** Whether a task acknowledged with a handle: its part is held apart, to be dropped if this fails. */
    boolean holdsParts() {
        return states.values().stream().anyMatch(s -> !s.inline());
    }

    long stateSize() {
        return states.values().stream().mapToLong(TaskState::size).sum();
    }

    /** The last task to acknowledge, or the first still missing. */
    String slowestTask() {
        return waiting.isEmpty() ? lastTask : waiting.iterator().next();
    }

    long slowestAckMillis(long now) {
        return (waiting.isEmpty() ? lastAckAt : now) - triggeredAt;
    }

    /** Every task that acknowledged so far, and how long after the trigger (a copy). */
    HashMap<String, Long> ackMillis() {
        return new HashMap<>(ackMillis);
    }

    Set<String> waitingFor() {
        return waiting;
    }
}
