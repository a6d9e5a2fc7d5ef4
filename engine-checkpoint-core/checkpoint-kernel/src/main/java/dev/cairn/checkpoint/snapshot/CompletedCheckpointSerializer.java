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
 * taskCount varint, then per task: taskId string, state,
 * metadataCount varint, then per entry: key string, value string
 * </pre>
 *
 * In format version 1 a task's state is its bytes. In version 2 (a <em>manifest</em>) it is a
 * varint tag first: 0 and the bytes (inline), or 1 and a {@link StateHandle}: size varlong, crc32c
 * int, chunkSize varint, chunkCount varint, each chunk's placement varint, writer string.
 *
 * <p>Part of snapshot formats 1 and 2: change it only with a new format version.
 */
final class CompletedCheckpointSerializer extends Serializer<CompletedCheckpoint> {
    private static final CheckpointType[] TYPES = CheckpointType.values();
    private static final int INLINE = 0;
    private static final int HANDLE = 1;

    /** Format 1. */
    static final CompletedCheckpointSerializer CHECKPOINT = new CompletedCheckpointSerializer(false);
    /** Format 2. */
    static final CompletedCheckpointSerializer MANIFEST = new CompletedCheckpointSerializer(true);

    private final boolean manifest;

    private CompletedCheckpointSerializer(boolean manifest) {
        this.manifest = manifest;
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
            if (!manifest) {
                if (!state.inline()) {
                    throw new IllegalArgumentException("format 1 holds inline states only: " + state);
                }
                Bounded.writeBytes(output, state.state());
            } else if (state.inline()) {
                output.writeVarInt(INLINE, true);
                Bounded.writeBytes(output, state.state());
            } else {
                StateHandle h = state.handle();
                output.writeVarInt(HANDLE, true);
                output.writeVarLong(h.size(), true);
                output.writeInt(h.crc32c());
                output.writeVarInt(h.chunkSize(), true);
                output.writeVarInt(h.chunkCount(), true);
                for (int placement : h.placements()) {
                    output.writeVarInt(placement, true);
                }
                Bounded.writeString(output, h.writer());
            }
        }
        output.writeVarInt(c.metadata().size(), true);
        for (Map.Entry<String, String> e : c.metadata().entrySet()) {
            Bounded.writeString(output, e.getKey());
            Bounded.writeString(output, e.getValue());
        }
    }

    /** Exactly the bytes {@link #write} produces, so that encoding allocates once. */
    int size(CompletedCheckpoint c) {
        long size = Bounded.stringSize(c.pipeline().jobId().value())
                + Bounded.stringSize(c.pipeline().pipeline())
                + Output.varLongLength(c.id().value(), true)
                + Output.varIntLength(c.type().ordinal(), true)
                + 16
                + Output.varIntLength(c.taskStates().size(), true)
                + Output.varIntLength(c.metadata().size(), true);
        for (TaskState state : c.taskStates()) {
            size += Bounded.stringSize(state.taskId()) + (manifest ? 1 : 0);
            if (state.inline()) {
                size += Bounded.bytesSize(state.state());
            } else {
                StateHandle h = state.handle();
                size += Output.varLongLength(h.size(), true)
                        + 4
                        + Output.varIntLength(h.chunkSize(), true)
                        + Output.varIntLength(h.chunkCount(), true)
                        + Bounded.stringSize(h.writer());
                for (int placement : h.placements()) {
                    size += Output.varIntLength(placement, true);
                }
            }
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
            states.add(readState(input));
        }
        int entries = Bounded.readCount(input, 2);
        Map<String, String> metadata = new LinkedHashMap<>();
        for (int i = 0; i < entries; i++) {
            metadata.put(Bounded.readString(input), Bounded.readString(input));
        }
        return new CompletedCheckpoint(pipeline, id, TYPES[typeOrdinal], triggeredAt, completedAt, states, metadata);
    }

    private TaskState readState(Input input) {
        String taskId = Bounded.readString(input);
        int tag = manifest ? input.readVarInt(true) : INLINE;
        if (tag == INLINE) {
            return new TaskState(taskId, Bounded.readBytes(input));
        }
        if (tag != HANDLE) {
            throw new KryoException("unknown task state tag " + tag + " of " + taskId);
        }
        long size = input.readVarLong(true);
        int crc = input.readInt();
        int chunkSize = input.readVarInt(true);
        int chunks = Bounded.readCount(input, 1);
        int[] placements = new int[chunks];
        for (int n = 0; n < chunks; n++) {
            placements[n] = input.readVarInt(true);
        }
        String writer = Bounded.readString(input);
        try {
            return TaskState.of(taskId, new StateHandle(size, crc, chunkSize, placements, writer));
        } catch (IllegalArgumentException e) {
            throw new KryoException("invalid handle of " + taskId + ": " + e.getMessage());
        }
    }
}
