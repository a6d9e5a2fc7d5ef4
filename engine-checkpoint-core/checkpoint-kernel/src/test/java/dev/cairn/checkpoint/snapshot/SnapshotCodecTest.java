package dev.cairn.checkpoint.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.io.Output;
import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.snapshot.SnapshotFormatException.Reason;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class SnapshotCodecTest {
    /** The checkpoint whose format-1 encoding is kept in src/test/resources/snapshot/v1-golden.bin. */
    static CompletedCheckpoint golden() {
        return new CompletedCheckpoint(
                PipelineKey.of("job-golden", "pipeline-1"),
                CheckpointId.of(42),
                CheckpointType.CHECKPOINT,
                1_700_000_000_000L,
                1_700_000_000_250L,
                List.of(
                        new TaskState("source-0", new byte[] {0, 0, 0, 0, 0, 0, 0, 7}),
                        new TaskState("sink-0", "pending: part-0-41".getBytes(StandardCharsets.UTF_8)),
                        new TaskState("transform-0", new byte[0])),
                Map.of(CompletedCheckpoint.META_ATTEMPT, "3"));
    }

    /** The manifest whose format-2 encoding is kept in src/test/resources/snapshot/v2-golden.bin. */
    static CompletedCheckpoint goldenManifest() {
        PipelineKey pipeline = PipelineKey.of("job-golden", "pipeline-1");
        byte[] big = new byte[300];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        StateHandle handle =
                PartCodec.frame(pipeline, 43, "sink-0", big).handle(128, new int[] {5, 270, 0}, "member-a");
        return new CompletedCheckpoint(
                pipeline,
                CheckpointId.of(43),
                CheckpointType.CHECKPOINT,
                1_700_000_001_000L,
                1_700_000_001_250L,
                List.of(
                        new TaskState("source-0", new byte[] {0, 0, 0, 0, 0, 0, 0, 8}),
                        TaskState.of("sink-0", handle),
                        new TaskState("transform-0", new byte[0])),
                Map.of(CompletedCheckpoint.META_ATTEMPT, "3"));
    }

    private static CompletedCheckpoint sample(int stateSize) {
        byte[] state = new byte[stateSize];
        new Random(stateSize).nextBytes(state);
        return new CompletedCheckpoint(
                PipelineKey.of("job-1", "1"),
                CheckpointId.of(7),
                CheckpointType.SAVEPOINT,
                100,
                200,
                List.of(new TaskState("source-0", state), new TaskState("sink-0", new byte[] {1, 2})),
                Map.of(CompletedCheckpoint.META_FINISHED, "true", "é-key", "ünïcode"));
    }

    @Test
    void roundTrip_keepsEveryField() throws Exception {
        for (int size : new int[] {0, 1, 4096, 1 << 20}) {
            CompletedCheckpoint checkpoint = sample(size);
            assertEquals(checkpoint, SnapshotCodec.decode(SnapshotCodec.encode(checkpoint)));
        }
    }

    @Test
    void goldenBytes_ofFormatVersion1_stillDecode_andEncodingIsStable() throws Exception {
        byte[] stored;
        try (InputStream in = getClass().getResourceAsStream("/snapshot/v1-golden.bin")) {
            stored = in.readAllBytes();
        }

        assertEquals(golden(), SnapshotCodec.decode(stored));
        assertArrayEquals(stored, SnapshotCodec.encode(golden()), "format 1 encodes byte for byte as released");
        assertEquals(new SnapshotCodec.Header(1, 0, stored.length - 20, crc(stored)), SnapshotCodec.readHeader(stored));
    }

    @Test
    void goldenBytes_ofFormatVersion2_stillDecode_andEncodingIsStable() throws Exception {
        byte[] stored;
        try (InputStream in = getClass().getResourceAsStream("/snapshot/v2-golden.bin")) {
            stored = in.readAllBytes();
        }

        assertEquals(goldenManifest(), SnapshotCodec.decode(stored));
        assertArrayEquals(stored, SnapshotCodec.encode(goldenManifest()), "format 2 encodes byte for byte as released");
        assertEquals(2, SnapshotCodec.readHeader(stored).version());
    }

    @Test
    void aCheckpointWithHandles_isAManifest_andOneWithInlineStatesOnly_staysFormat1() throws Exception {
        assertEquals(1, SnapshotCodec.readHeader(SnapshotCodec.encode(golden())).version());
        CompletedCheckpoint manifest = goldenManifest();
        byte[] blob = SnapshotCodec.encode(manifest);
        assertEquals(2, SnapshotCodec.readHeader(blob).version());
        CompletedCheckpoint decoded = SnapshotCodec.decode(blob);
        assertEquals(manifest, decoded);
        assertEquals(false, decoded.allInline());
        assertEquals(8 + 0 + manifest.taskStates().get(1).handle().size(), decoded.stateSize());
    }

    @Test
    void aManifestBlobClaimingFormat1_orACheckpointClaimingFormat2_isRefused() {
        byte[] manifest = SnapshotCodec.encode(goldenManifest());
        manifest[9] = 1;
        assertReason(Reason.MALFORMED_PAYLOAD, manifest);
        byte[] checkpoint = SnapshotCodec.encode(golden());
        checkpoint[9] = 2;
        SnapshotFormatException e = assertReason(Reason.MALFORMED_PAYLOAD, checkpoint);
        assertTrue(e.getMessage().contains("not a manifest"), e.getMessage());
    }

    @Test
    void everySingleBitFlip_ofAManifest_isDetected() {
        byte[] blob = SnapshotCodec.encode(goldenManifest());
        for (int bit = 0; bit < blob.length * 8; bit++) {
            byte[] flipped = blob.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThrows(SnapshotFormatException.class, () -> SnapshotCodec.decode(flipped), "bit " + bit);
        }
    }

    @Test
    void everySingleBitFlip_isDetected() {
        byte[] blob = SnapshotCodec.encode(sample(300));
        for (int bit = 0; bit < blob.length * 8; bit++) {
            byte[] flipped = blob.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThrows(SnapshotFormatException.class, () -> SnapshotCodec.decode(flipped), "bit " + bit);
        }
    }

    @Test
    void truncatedExtendedAndEmptyBlobs_sayWhy() {
        byte[] blob = SnapshotCodec.encode(sample(100));

        assertReason(Reason.TOO_SHORT, new byte[0]);
        assertReason(Reason.TOO_SHORT, Arrays.copyOf(blob, 10));
        assertReason(Reason.LENGTH_MISMATCH, Arrays.copyOf(blob, blob.length - 1));
        assertReason(Reason.LENGTH_MISMATCH, Arrays.copyOf(blob, blob.length + 1));
        byte[] notOurs = blob.clone();
        notOurs[0] = 'X';
        assertReason(Reason.BAD_MAGIC, notOurs);
        byte[] future = blob.clone();
        future[9] = 3;
        SnapshotFormatException e = assertReason(Reason.UNSUPPORTED_VERSION, future);
        assertEquals("snapshot format version 3 is not supported (this build reads 1 and 2)", e.getMessage());
    }

    @Test
    void aPayloadNamingAClassOutsideTheRegistry_isRefused_neverLoaded() {
        // Kryo's "class by name" marker (NAME + 2 = 1), a name id, then the class name, as a
        // crafted blob would carry it.
        Output payload = new Output(256);
        payload.writeVarInt(1, true);
        payload.writeVarInt(0, true);
        payload.writeString("java.net.URL");
        SnapshotFormatException e = assertReason(Reason.MALFORMED_PAYLOAD, blob(payload.toBytes()));
        assertTrue(e.getMessage().contains("class names are not accepted"), e.getMessage());

        Output unknownId = new Output(16);
        unknownId.writeVarInt(5000, true);
        SnapshotFormatException e2 = assertReason(Reason.MALFORMED_PAYLOAD, blob(unknownId.toBytes()));
        assertTrue(e2.getMessage().contains("unregistered class ID"), e2.getMessage());
    }

    @Test
    void hostileLengths_areRefusedBeforeAllocating() {
        Output payload = new Output(64);
        payload.writeVarInt(100 + 2, true); // CompletedCheckpoint
        payload.writeVarInt(Integer.MAX_VALUE - 16, true); // a job id "of 2 GiB"
        SnapshotFormatException e = assertReason(Reason.MALFORMED_PAYLOAD, blob(payload.toBytes()));
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
    }

    @Test
    void trailingBytes_areRefused() throws Exception {
        byte[] blob = SnapshotCodec.encode(sample(10));
        byte[] payload = Arrays.copyOfRange(blob, 20, blob.length + 3);
        assertReason(Reason.MALFORMED_PAYLOAD, blob(payload));
    }

    private static SnapshotFormatException assertReason(Reason reason, byte[] blob) {
        SnapshotFormatException e = assertThrows(SnapshotFormatException.class, () -> SnapshotCodec.decode(blob));
        assertEquals(reason, e.reason(), e.getMessage());
        return e;
    }

    /** A well-formed header (right length and checksum) around any payload. */
    static byte[] blob(byte[] payload) {
        return blob(payload, 1);
    }

    /** As {@link #blob(byte[])}, with the header's format version {@code version}. */
    static byte[] blob(byte[] payload, int version) {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        ByteBuffer blob = ByteBuffer.allocate(20 + payload.length);
        blob.put("CAIRNCKP".getBytes(StandardCharsets.US_ASCII))
                .putShort((short) version)
                .putShort((short) 0)
                .putInt(payload.length)
                .putInt((int) crc.getValue())
                .put(payload);
        return blob.array();
    }

    private static long crc(byte[] blob) {
        CRC32C crc = new CRC32C();
        crc.update(blob, 20, blob.length - 20);
        return crc.getValue();
    }
}
