package dev.cairn.checkpoint.snapshot;

import java.util.Arrays;
import java.util.Objects;

/**
 * The snapshot of one task for one checkpoint: opaque bytes the task produced and will restore
 * from, either <em>inline</em> (the bytes themselves) or as a {@link StateHandle} to a part its
 * member holds. Exactly one of the two is set.
 *
 * @param taskId the task within its pipeline, e.g. {@code "sink-3"}
 * @param state the task's bytes, or null if they are behind {@code handle}; not copied, not to be
 *     modified
 * @param handle where the task's bytes are, or null if they are inline
 */
public record TaskState(String taskId, byte[] state, StateHandle handle) {

    public TaskState {
        Objects.requireNonNull(taskId, "taskId");
        if ((state == null) == (handle == null)) {
            throw new IllegalArgumentException("a task state is either inline or a handle: " + taskId);
        }
    }

    /** An inline state. */
    public TaskState(String taskId, byte[] state) {
        this(taskId, Objects.requireNonNull(state, "state"), null);
    }

    /** A state behind a handle. */
    public static TaskState of(String taskId, StateHandle handle) {
        return new TaskState(taskId, null, Objects.requireNonNull(handle, "handle"));
    }

    public boolean inline() {
        return state != null;
    }

    /** The bytes this state takes: the state's if inline, the part's if not. */
    public long size() {
        return state != null ? state.length : handle.size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskState other
                && taskId.equals(other.taskId)
                && Arrays.equals(state, other.state)
                && Objects.equals(handle, other.handle);
    }

    @Override
    public int hashCode() {
        return 31 * taskId.hashCode() + (state != null ? Arrays.hashCode(state) : handle.hashCode());
    }

    @Override
    public String toString() {
        return "TaskState[" + taskId + ", " + (state != null ? state.length + " bytes" : handle) + "]";
    }
}
