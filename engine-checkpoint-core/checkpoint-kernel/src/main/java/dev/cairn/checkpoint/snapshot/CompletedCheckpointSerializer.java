package dev.cairn.checkpoint.snapshot;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link CompletedCheckpoint}, field by field, every length bounded ({@link Bounded}):
 *
 * <pre>
 * jobId string, pipeline string, id varlong, type varint (ordinal),
 * triggeredAt long, completedAt long,
 * taskCount varint, then per task: taskId string, state bytes,
 * metadataCount varint, then per entry: key string, value string
 * </pre>
 *
 * Part of snapshot format version 1: change it only with a new format version.
 */
final class CompletedCheckpointSerializer extends Serializer<CompletedCheckpoint> {
    private static final CheckpointType[] TYPES = CheckpointType.values();

    CompletedCheckpointSerializer() {
        setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output output, CompletedCheckpoint c) {
        Bounded.writeString(output, c.pipeline().jobId().value());
        Bounded.writeString(output, c.pipeline().pipeline());
        output.writeVarLong(c.id().value(), true);
        output.writeVarInt(c.type().ordinal(), true);
        output.writeLong(c.triggeredAt());
        output.writeLong(c.completedAt());
        output.writeVarInt(c.taskStates().size(), true);
        for (TaskState state : c.taskStates()) {
            Bounded.writeString(output, state.taskId());
            Bounded.writeBytes(output, state.state());
        }
        output.writeVarInt(c.metadata().size(), true);
        for (Map.Entry<String, String> e : c.metadata().entrySet()) {
            Bounded.writeString(output, e.getKey());
            Bounded.writeString(output, e.getValue());
        }
    }

    /** Exactly the bytes {@link #write} produces, so that encoding allocates once. */
    static int size(CompletedCheckpoint c) {
        long size = Bounded.stringSize(c.pipeline().jobId().value())
                + Bounded.stringSize(c.pipeline().pipeline())
                + Output.varLongLength(c.id().value(), true)
                + Output.varIntLength(c.type().ordinal(), true)
                + 16
                + Output.varIntLength(c.taskStates().size(), true)
                + Output.varIntLength(c.metadata().size(), true);
        for (TaskState state : c.taskStates()) {
            size += Bounded.stringSize(state.taskId()) + Bounded.bytesSize(state.state());
        }
        for (Map.Entry<String, String> e : c.metadata().entrySet()) {
            size += Bounded.stringSize(e.getKey()) + Bounded.stringSize(e.getValue());
        }
        if (size > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException(c + " is larger than one snapshot can be (2 GiB)");
        }
        return (int) size;
    }

    @Override
    public CompletedCheckpoint read(Kryo kryo, Input input, Class<? extends CompletedCheckpoint> type) {
        PipelineKey pipeline;
        CheckpointId id;
        try {
            pipeline = PipelineKey.of(Bounded.readString(input), Bounded.readString(input));
            id = CheckpointId.of(input.readVarLong(true));
        } catch (IllegalArgumentException e) {
            throw new KryoException("invalid checkpoint identity: " + e.getMessage());
        }
        int typeOrdinal = input.readVarInt(true);
        if (typeOrdinal < 0 || typeOrdinal >= TYPES.length) {
            throw new KryoException("unknown checkpoint type " + typeOrdinal);
        }
        long triggeredAt = input.readLong();
        long completedAt = input.readLong();
        int tasks = Bounded.readCount(input, 2);
        List<TaskState> states = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            states.add(new TaskState(Bounded.readString(input), Bounded.readBytes(input)));
        }
        int entries = Bounded.readCount(input, 2);
        Map<String, String> metadata = new LinkedHashMap<>();
        for (int i = 0; i < entries; i++) {
            metadata.put(Bounded.readString(input), Bounded.readString(input));
        }
        return new CompletedCheckpoint(pipeline, id, TYPES[typeOrdinal], triggeredAt, completedAt, states, metadata);
    }
}
