package dev.cairn.checkpoint.snapshot;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.cairn.checkpoint.snapshot.SnapshotFormatException.Reason;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Encodes {@link CompletedCheckpoint}s into the snapshot blob that the snapshot map holds and the
 * storage keeps, and decodes them back, verifying everything on the way.
 *
 * <h2>Snapshot blob, format version 1</h2>
 *
 * <pre>
 * offset size  field
 *  0      8    magic            "CAIRNCKP" (0x43 41 49 52 4E 43 4B 50)
 *  8      2    format version   1, big-endian
 * 10      2    flags            0 (no flag is defined yet; any set bit is refused)
 * 12      4    payload length   bytes after the header, big-endian, 0 to 2^31 - 1
 * 16      4    payload CRC32C   of the payload bytes, big-endian
 * 20      n    payload          Kryo: the registered class id of CompletedCheckpoint, then its
 *                               fields as CompletedCheckpointSerializer writes them
 * </pre>
 *
 * <h2>Manifest, format version 2</h2>
 *
 * The same header with version 2, and a payload of class id {@link SnapshotKryo#CHECKPOINT_MANIFEST}
 * whose task states may be {@link StateHandle}s to parts ({@link PartCodec}) held apart. A checkpoint
 * whose states are all inline is always written in format 1, byte for byte as before format 2
 * existed, so that a build that reads only format 1 still reads it.
 *
 * <p>A blob is read only if its magic, version, flags, length (the blob is exactly header + length)
 * and CRC32C all check out, and its payload decodes to exactly one checkpoint with no bytes left
 * over. The payload's class id is checked before anything else is read: a payload naming any
 * other class, registered or not, is refused without running that class's serializer, so every
 * length read from a blob is bounded by the bytes left in it. The golden-bytes test keeps every
 * released version readable.
 *
 * <p>Thread-safe: Kryo instances come from a pool.
 */
public final class SnapshotCodec {
    public static final int FORMAT_VERSION = 1;
    /** Format version of a checkpoint that names parts. */
    public static final int MANIFEST_VERSION = 2;

    public static final int HEADER_SIZE = 20;
    private static final byte[] MAGIC = {'C', 'A', 'I', 'R', 'N', 'C', 'K', 'P'};

    private SnapshotCodec() {}

    /** The header of a blob, as read (for tools that show or verify blobs without decoding them). */
    public record Header(int version, int flags, long payloadLength, long crc32c) {}

    public static byte[] encode(CompletedCheckpoint checkpoint) {
        boolean manifest = !checkpoint.allInline();
        int payloadLength = manifest ? SnapshotKryo.manifestSize(checkpoint) : SnapshotKryo.encodedSize(checkpoint);
        byte[] blob = new byte[HEADER_SIZE + payloadLength];
        SnapshotKryo.with(kryo -> {
            Output output = new Output(blob, blob.length);
            output.setPosition(HEADER_SIZE);
            if (manifest) {
                output.writeVarInt(SnapshotKryo.CHECKPOINT_MANIFEST + 2, true);
                CompletedCheckpointSerializer.MANIFEST.write(kryo, output, checkpoint);
            } else {
                kryo.writeClassAndObject(output, checkpoint);
            }
            if (output.position() != blob.length) {
                throw new IllegalStateException(
                        "encoded " + (output.position() - HEADER_SIZE) + " payload bytes, sized " + payloadLength);
            }
            return null;
        });
        CRC32C crc = new CRC32C();
        crc.update(blob, HEADER_SIZE, payloadLength);
        ByteBuffer.wrap(blob)
                .put(MAGIC)
                .putShort((short) (manifest ? MANIFEST_VERSION : FORMAT_VERSION))
                .putShort((short) 0)
                .putInt(payloadLength)
                .putInt((int) crc.getValue());
        return blob;
    }

    /**
     * Checks the header of a blob: magic, version, flags and that the blob is as long as it says.
     * Does not compute the checksum.
     */
    public static Header readHeader(byte[] blob) throws SnapshotFormatException {
        if (blob.length < HEADER_SIZE) {
            throw new SnapshotFormatException(
                    Reason.TOO_SHORT, "blob of " + blob.length + " bytes is shorter than a snapshot header");
        }
        ByteBuffer buffer = ByteBuffer.wrap(blob);
        for (byte m : MAGIC) {
            if (buffer.get() != m) {
                throw new SnapshotFormatException(Reason.BAD_MAGIC, "not a Cairn snapshot (bad magic)");
            }
        }
        int version = Short.toUnsignedInt(buffer.getShort());
        int flags = Short.toUnsignedInt(buffer.getShort());
        long length = Integer.toUnsignedLong(buffer.getInt());
        long crc = Integer.toUnsignedLong(buffer.getInt());
        if (version != FORMAT_VERSION && version != MANIFEST_VERSION) {
            throw new SnapshotFormatException(
                    Reason.UNSUPPORTED_VERSION,
                    "snapshot format version " + version + " is not supported (this build reads " + FORMAT_VERSION
                            + " and " + MANIFEST_VERSION + ")");
        }
        if (flags != 0) {
            throw new SnapshotFormatException(
                    Reason.UNKNOWN_FLAGS, "unknown snapshot flags 0x" + Integer.toHexString(flags));
        }
        if (length != blob.length - HEADER_SIZE) {
            throw new SnapshotFormatException(
                    Reason.LENGTH_MISMATCH,
                    "header says " + length + " payload bytes, blob holds " + (blob.length - HEADER_SIZE)
                            + " (truncated or extended)");
        }
        return new Header(version, flags, length, crc);
    }

    /** Verifies and decodes a blob. */
    public static CompletedCheckpoint decode(byte[] blob) throws SnapshotFormatException {
        Header header = readHeader(blob);
        int length = (int) header.payloadLength();
        CRC32C crc = new CRC32C();
        crc.update(blob, HEADER_SIZE, length);
        if (crc.getValue() != header.crc32c()) {
            throw new SnapshotFormatException(
                    Reason.CHECKSUM_MISMATCH,
                    String.format(
                            "payload checksum is %08x, header says %08x (corrupt)", crc.getValue(), header.crc32c()));
        }
        try {
            return SnapshotKryo.with(kryo -> {
                Input input = new Input(blob, HEADER_SIZE, length);
                if (header.version() == MANIFEST_VERSION) {
                    int classId = input.readVarInt(true) - 2;
                    if (classId != SnapshotKryo.CHECKPOINT_MANIFEST) {
                        throw new KryoException("payload of class id " + classId + ", not a manifest");
                    }
                    return whole(
                            input,
                            HEADER_SIZE + length,
                            CompletedCheckpointSerializer.MANIFEST.read(kryo, input, CompletedCheckpoint.class));
                }
                // The class first, and only then the object: the payload must name
                // CompletedCheckpoint, whose serializer bounds every length it reads. Another
                // registered class's serializer (Kryo's own String and byte[], HashMap, the
                // cluster messages) sizes its buffers from the untrusted bytes, so it never runs.
                Registration registration = kryo.readClass(input);
                if (registration == null || registration.getType() != CompletedCheckpoint.class) {
                    throw new KryoException("payload is a "
                            + (registration == null
                                    ? "null"
                                    : registration.getType().getSimpleName())
                            + ", not a checkpoint");
                }
                return whole(input, HEADER_SIZE + length, kryo.readObject(input, CompletedCheckpoint.class));
            });
        } catch (KryoException | IllegalArgumentException e) {
            throw new SnapshotFormatException(
                    Reason.MALFORMED_PAYLOAD, "payload does not decode: " + e.getMessage(), e);
        }
    }

    private static CompletedCheckpoint whole(Input input, int end, CompletedCheckpoint checkpoint) {
        if (input.position() != end) {
            throw new KryoException((end - input.position()) + " bytes left after the checkpoint");
        }
        return checkpoint;
    }
}
