package dev.cairn.checkpoint.snapshot;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.cairn.checkpoint.snapshot.SnapshotFormatException.Reason;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Frames one task's state of one checkpoint as a <em>part</em>: what its member puts into the
 * cluster's memory (in chunks) and what the storage keeps beside the checkpoint's manifest.
 *
 * <h2>Part, format version 1</h2>
 *
 * <pre>
 * offset size  field
 *  0      8    magic            "CAIRNPRT"
 *  8      2    format version   1, big-endian
 * 10      2    flags            0 (any set bit is refused)
 * 12      4    payload length   bytes after the header, big-endian
 * 16      4    payload CRC32C   of the payload bytes, big-endian
 * 20      n    payload          job id, pipeline, task id (each a varint byte length and UTF-8),
 *                               checkpoint id (varlong), then the task's state to the end
 * </pre>
 *
 * The identity makes a part that turns up under the wrong name (a copy gone wrong, a hand-edited
 * store) fail like a corrupt one. A part is read only if its header, length, checksum and identity
 * check out, and they agree with the {@link StateHandle} the manifest holds.
 *
 * <p>The state is never copied to frame it: a {@link Framed} part is the small prefix (header and
 * identity) followed by the task's own array, and chunks are slices of the two.
 */
public final class PartCodec {
    public static final int FORMAT_VERSION = 1;
    public static final int HEADER_SIZE = 20;
    private static final byte[] MAGIC = {'C', 'A', 'I', 'R', 'N', 'P', 'R', 'T'};
    /** A first chunk this long holds any header and identity (job, pipeline and task names are bounded). */
    private static final int MIN_FIRST_CHUNK = 64 << 10;

    private PartCodec() {}

    /**
     * A part, framed: {@code prefix} (header and identity) then {@code state}, the task's bytes as
     * given.
     */
    public record Framed(byte[] prefix, byte[] state, int crc32c) {
        public long size() {
            return (long) prefix.length + state.length;
        }

        /** Bytes {@code [offset, offset + length)} of the part. */
        public byte[] slice(long offset, int length) {
            byte[] out = new byte[length];
            copyTo(offset, out, 0, length);
            return out;
        }

        /** Copies bytes {@code [offset, offset + length)} of the part into {@code out} at {@code at}. */
        public void copyTo(long offset, byte[] out, int at, int length) {
            Objects.checkFromIndexSize(offset, length, size());
            Objects.checkFromIndexSize(at, length, out.length);
            int fromPrefix = (int) Math.max(0, Math.min(length, prefix.length - offset));
            if (fromPrefix > 0) {
                System.arraycopy(prefix, (int) offset, out, at, fromPrefix);
            }
            int stateStart = (int) Math.max(0, offset - prefix.length);
            System.arraycopy(state, stateStart, out, at + fromPrefix, length - fromPrefix);
        }

        /** Chunk {@code n} of {@code chunkSize} bytes (the last may be shorter). */
        public byte[] chunk(int n, int chunkSize) {
            long offset = (long) n * chunkSize;
            return slice(offset, (int) Math.min(chunkSize, size() - offset));
        }

        /** The whole part in one array. */
        public byte[] toBytes() {
            return slice(0, Math.toIntExact(size()));
        }

        /** A handle to this part, cut into chunks of {@code chunkSize}, placed at {@code placements}. */
        public StateHandle handle(int chunkSize, int[] placements, String writer) {
            return new StateHandle(size(), crc32c, chunkSize, placements, writer);
        }
    }

    /** Frames {@code state} as the part of {@code taskId} in checkpoint {@code id} of {@code pipeline}. */
    public static Framed frame(PipelineKey pipeline, long id, String taskId, byte[] state) {
        Output identity = new Output(64, -1);
        writeIdentity(identity, pipeline, id, taskId);
        long payload = (long) identity.position() + state.length;
        if (payload > Integer.MAX_VALUE - HEADER_SIZE) {
            throw new IllegalArgumentException("a state of " + state.length + " bytes is larger than a part can be");
        }
        CRC32C crc = new CRC32C();
        crc.update(identity.getBuffer(), 0, identity.position());
        crc.update(state);
        byte[] prefix = new byte[HEADER_SIZE + identity.position()];
        ByteBuffer.wrap(prefix)
                .put(MAGIC)
                .putShort((short) FORMAT_VERSION)
                .putShort((short) 0)
                .putInt((int) payload)
                .putInt((int) crc.getValue())
                .put(identity.getBuffer(), 0, identity.position());
        return new Framed(prefix, state, (int) crc.getValue());
    }

    private static void writeIdentity(Output output, PipelineKey pipeline, long id, String taskId) {
        Bounded.writeString(output, pipeline.jobId().value());
        Bounded.writeString(output, pipeline.pipeline());
        Bounded.writeString(output, taskId);
        output.writeVarLong(id, true);
    }

    /**
     * Verifies a whole part and returns the task's state in it.
     *
     * @param expected the handle the manifest holds, or null to check the part on its own
     * @throws SnapshotFormatException with {@link Reason#CORRUPT_PART}, saying what failed
     */
    public static byte[] read(byte[] part, PipelineKey pipeline, long id, String taskId, StateHandle expected)
            throws SnapshotFormatException {
        int stateAt = verify(new byte[][] {part}, part.length, pipeline, id, taskId, expected);
        return Arrays.copyOfRange(part, stateAt, part.length);
    }

    /**
     * Verifies a part held as the chunks it was cut into, in order, as {@link #read} verifies the
     * whole part, without joining them: a member stores a verified part straight from its chunks.
     *
     * @throws SnapshotFormatException with {@link Reason#CORRUPT_PART}, saying what failed
     */
    public static void verify(byte[][] chunks, PipelineKey pipeline, long id, String taskId, StateHandle handle)
            throws SnapshotFormatException {
        stateAt(chunks, pipeline, id, taskId, handle);
    }

    /**
     * Verifies a part held as the chunks it was cut into, in order, and returns the task's state in
     * it: one pass to check, one copy out, as {@link #read} does for a whole part (chunks under 64
     * KiB, which Cairn does not write, are joined first).
     *
     * @throws SnapshotFormatException with {@link Reason#CORRUPT_PART}, saying what failed
     */
    public static byte[] read(byte[][] chunks, PipelineKey pipeline, long id, String taskId, StateHandle handle)
            throws SnapshotFormatException {
        long at = stateAt(chunks, pipeline, id, taskId, handle);
        byte[] state = new byte[Math.toIntExact(handle.size() - at)];
        int to = 0;
        for (byte[] chunk : chunks) {
            int from = (int) Math.min(chunk.length, at);
            System.arraycopy(chunk, from, state, to, chunk.length - from);
            to += chunk.length - from;
            at -= from;
        }
        return state;
    }

    /** Where the state starts in the chunks of a verified part, counted from the part's first byte. */
    private static int stateAt(byte[][] chunks, PipelineKey pipeline, long id, String taskId, StateHandle handle)
            throws SnapshotFormatException {
        checkChunks(handle, chunks);
        if (chunks.length > 1 && chunks[0].length < MIN_FIRST_CHUNK) {
            // Not a chunking Cairn writes: the identity may run past the first chunk.
            return verify(new byte[][] {join(handle, chunks)}, handle.size(), pipeline, id, taskId, handle);
        }
        return verify(chunks, handle.size(), pipeline, id, taskId, handle);
    }

    /**
     * The checks of a part of {@code size} bytes given as chunks whose first holds its header and
     * identity; returns where the state starts in the first chunk.
     */
    private static int verify(
            byte[][] chunks, long size, PipelineKey pipeline, long id, String taskId, StateHandle expected)
            throws SnapshotFormatException {
        String what = "part " + id + "/" + taskId;
        byte[] first = chunks[0];
        if (size < HEADER_SIZE) {
            throw corrupt(what, "its " + size + " bytes are shorter than a part header");
        }
        ByteBuffer header = ByteBuffer.wrap(first);
        byte[] magic = new byte[MAGIC.length];
        header.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw corrupt(what, "not a Cairn part (bad magic)");
        }
        int version = Short.toUnsignedInt(header.getShort());
        int flags = Short.toUnsignedInt(header.getShort());
        long length = Integer.toUnsignedLong(header.getInt());
        int crc32c = header.getInt();
        if (version != FORMAT_VERSION) {
            throw corrupt(what, "part format version " + version + " is not supported (this build reads 1)");
        }
        if (flags != 0) {
            throw corrupt(what, "unknown part flags 0x" + Integer.toHexString(flags));
        }
        if (length != size - HEADER_SIZE) {
            throw corrupt(what, "header says " + length + " payload bytes, the part holds " + (size - HEADER_SIZE));
        }
        CRC32C crc = new CRC32C();
        crc.update(first, HEADER_SIZE, first.length - HEADER_SIZE);
        for (int n = 1; n < chunks.length; n++) {
            crc.update(chunks[n]);
        }
        if ((int) crc.getValue() != crc32c) {
            throw corrupt(what, String.format("payload checksum is %08x, header says %08x", crc.getValue(), crc32c));
        }
        if (expected != null && (expected.size() != size || expected.crc32c() != crc32c)) {
            throw corrupt(
                    what,
                    String.format(
                            "%d bytes with checksum %08x, the manifest names %d bytes with checksum %08x",
                            size, crc32c, expected.size(), expected.crc32c()));
        }
        Input input = new Input(first, HEADER_SIZE, first.length - HEADER_SIZE);
        try {
            String job = Bounded.readString(input);
            String pipe = Bounded.readString(input);
            String task = Bounded.readString(input);
            long partId = input.readVarLong(true);
            if (!job.equals(pipeline.jobId().value())
                    || !pipe.equals(pipeline.pipeline())
                    || !task.equals(taskId)
                    || partId != id) {
                throw corrupt(
                        what, "it is the part of " + task + " in checkpoint " + partId + " of " + job + "/" + pipe);
            }
        } catch (KryoException e) {
            throw corrupt(what, "its identity does not decode: " + e.getMessage());
        }
        return input.position();
    }

    /** Puts chunks, in order, back together into the part they were cut from. */
    public static byte[] join(StateHandle handle, byte[][] chunks) throws SnapshotFormatException {
        checkChunks(handle, chunks);
        byte[] part = new byte[Math.toIntExact(handle.size())];
        int at = 0;
        for (byte[] chunk : chunks) {
            System.arraycopy(chunk, 0, part, at, chunk.length);
            at += chunk.length;
        }
        return part;
    }

    private static void checkChunks(StateHandle handle, byte[][] chunks) throws SnapshotFormatException {
        if (chunks.length != handle.chunkCount()) {
            throw corrupt("part", chunks.length + " chunks, the handle names " + handle.chunkCount());
        }
        for (int n = 0; n < chunks.length; n++) {
            if (chunks[n].length != handle.chunkLength(n)) {
                throw corrupt(
                        "part", "chunk " + n + " holds " + chunks[n].length + " bytes, not " + handle.chunkLength(n));
            }
        }
    }

    private static SnapshotFormatException corrupt(String what, String why) {
        return new SnapshotFormatException(Reason.CORRUPT_PART, what + ": " + why);
    }
}
