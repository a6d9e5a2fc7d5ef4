package dev.cairn.checkpoint.snapshot;

import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A checkpoint every task of a pipeline has acknowledged: what the snapshot map holds and the
 * storage keeps, encoded by {@link SnapshotCodec}.
 *
 * @param pipeline the job and pipeline
 * @param id the checkpoint id
 * @param type checkpoint or savepoint
 * @param triggeredAt when the coordinator triggered it, epoch millis
 * @param completedAt when the last acknowledgement arrived, epoch millis
 * @param taskStates every task's state, in task order
 * @param metadata small facts about the checkpoint (see the {@code META_} keys)
 */
public record CompletedCheckpoint(
        PipelineKey pipeline,
        CheckpointId id,
        CheckpointType type,
        long triggeredAt,
        long completedAt,
        List<TaskState> taskStates,
        Map<String, String> metadata) {

    /** The pipeline had finished all its input: this checkpoint is its last. */
    public static final String META_FINISHED = "finished";
    /** A fingerprint of the job's definition, so a resumed job is the same job. */
    public static final String META_JOB_SPEC = "job-spec";
    /** The execution attempt of the pipeline that took it. */
    public static final String META_ATTEMPT = "attempt";
    /**
     * The records the pipeline's sinks had been given, in all, up to this checkpoint's barrier: what
     * is committed once this checkpoint is. Counted by the engine across restores.
     */
    public static final String META_RECORDS = "records";
    /** The epoch of the master that completed it. */
    public static final String META_EPOCH = "epoch";
    /**
     * Set on the copy a new master stores of the checkpoint it restores from, before any task runs:
     * what the copy was taken from, e.g. {@code checkpoint 41} or {@code savepoint 7}.
     */
    public static final String META_COPY_OF = "copy-of";

    public CompletedCheckpoint {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        taskStates = List.copyOf(taskStates);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    public Optional<TaskState> state(String taskId) {
        return taskStates.stream().filter(s -> s.taskId().equals(taskId)).findFirst();
    }

    /** {@link #META_RECORDS}, or 0 for a checkpoint taken before it was counted. */
    public long records() {
        try {
            return Long.parseLong(metadata.getOrDefault(META_RECORDS, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public boolean finished() {
        return Boolean.parseBoolean(metadata.get(META_FINISHED));
    }

    /**
     * The same task states and metadata under another id, as a checkpoint of {@code metadata}'s
     * attempt and epoch, taken now: a new master's restore point, stored in its own epoch.
     */
    public CompletedCheckpoint copyAs(CheckpointId newId, Map<String, String> more, long now) {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.putAll(more);
        meta.put(META_COPY_OF, type.name().toLowerCase(java.util.Locale.ROOT) + " " + id);
        return new CompletedCheckpoint(pipeline, newId, CheckpointType.CHECKPOINT, now, now, taskStates, meta);
    }

    /** Bytes of task state in total: the size that matters to memory and storage. */
    public long stateSize() {
        return taskStates.stream().mapToLong(TaskState::size).sum();
    }

    /** Whether every task's state is inline: such a checkpoint is stored in format 1, as it always was. */
    public boolean allInline() {
        return taskStates.stream().allMatch(TaskState::inline);
    }

    @Override
    public String toString() {
        return "checkpoint " + id + " of " + pipeline + " (" + type + ", " + taskStates.size() + " tasks, "
                + stateSize() + " bytes)";
    }
}
