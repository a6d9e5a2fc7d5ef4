package dev.cairn.checkpoint.snapshot;

import java.util.Arrays;
import java.util.Objects;

/**
 * The snapshot of one task for one checkpoint: opaque bytes the task produced and will restore
 * from.
 *
 * @param taskId the task within its pipeline, e.g. {@code "sink-3"}
 * @param state the task's bytes; not copied, not to be modified
 */
public record TaskState(String taskId, byte[] state) {

    public TaskState {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(state, "state");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskState other && taskId.equals(other.taskId) && Arrays.equals(state, other.state);
    }

    @Override
    public int hashCode() {
        return 31 * taskId.hashCode() + Arrays.hashCode(state);
    }

    @Override
    public String toString() {
        return "TaskState[" + taskId + ", " + state.length + " bytes]";
    }
}
