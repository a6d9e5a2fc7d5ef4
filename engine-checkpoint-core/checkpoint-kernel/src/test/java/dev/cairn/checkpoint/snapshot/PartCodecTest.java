package dev.cairn.checkpoint.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.snapshot.SnapshotFormatException.Reason;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PartCodecTest {
    private static final PipelineKey PIPELINE = PipelineKey.of("job-1", "p");

    private static byte[] state(int size) {
        byte[] state = new byte[size];
        new Random(size).nextBytes(state);
        return state;
    }

    @Test
    void aFramedPart_cutIntoChunksOfAnySize_joinsAndReadsBackToTheState() throws Exception {
        for (int size : new int[] {0, 1, 100, 4096, 100_003}) {
            byte[] state = state(size);
            PartCodec.Framed part = PartCodec.frame(PIPELINE, 41, "sink-3", state);
            for (int chunkSize : new int[] {1, 7, 64, 4096, 64 << 10, 1 << 20}) {
                StateHandle handle = part.handle(chunkSize, new int[StateHandle.chunks(part.size(), chunkSize)], "m");
                byte[][] chunks = new byte[handle.chunkCount()][];
                for (int n = 0; n < chunks.length; n++) {
                    chunks[n] = part.chunk(n, chunkSize);
                    assertEquals(handle.chunkLength(n), chunks[n].length);
                }
                PartCodec.verify(chunks, PIPELINE, 41, "sink-3", handle); // without joining them
                assertArrayEquals(
                        state, PartCodec.read(chunks, PIPELINE, 41, "sink-3", handle), size + "/" + chunkSize);
                byte[] joined = PartCodec.join(handle, chunks);
                assertArrayEquals(part.toBytes(), joined);
                assertArrayEquals(
                        state, PartCodec.read(joined, PIPELINE, 41, "sink-3", handle), size + "/" + chunkSize);
            }
        }
    }

    @Test
    void framing_doesNotCopyTheState() {
        byte[] state = state(1000);
        assertTrue(PartCodec.frame(PIPELINE, 1, "t", state).state() == state);
    }

    @Test
    void everySingleBitFlip_isDetected() {
        byte[] part = PartCodec.frame(PIPELINE, 41, "sink-3", state(200)).toBytes();
        for (int bit = 0; bit < part.length * 8; bit++) {
            byte[] flipped = part.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            SnapshotFormatException e = assertThrows(
                    SnapshotFormatException.class,
                    () -> PartCodec.read(flipped, PIPELINE, 41, "sink-3", null),
                    "bit " + bit);
            assertEquals(Reason.CORRUPT_PART, e.reason());
        }
    }

    @Test
    void aPartVerifiedAsChunks_detectsFlipsInItsHeaderAndIdentity_andInEveryChunk() {
        int chunkSize = 64 << 10;
        PartCodec.Framed framed = PartCodec.frame(PIPELINE, 41, "sink-3", state(150_000));
        StateHandle handle = framed.handle(chunkSize, new int[StateHandle.chunks(framed.size(), chunkSize)], "m");
        byte[] part = framed.toBytes();
        List<Integer> bits = new ArrayList<>();
        for (int bit = 0; bit < 64 * 8; bit++) {
            bits.add(bit); // the header, the identity and the state's start
        }
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            bits.add(random.nextInt(part.length * 8)); // anywhere, the later chunks too
        }
        for (int bit : bits) {
            byte[] flipped = part.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            byte[][] chunks = new byte[handle.chunkCount()][];
            for (int n = 0; n < chunks.length; n++) {
                chunks[n] = Arrays.copyOfRange(flipped, n * chunkSize, Math.min(flipped.length, (n + 1) * chunkSize));
            }
            SnapshotFormatException e = assertThrows(
                    SnapshotFormatException.class,
                    () -> PartCodec.verify(chunks, PIPELINE, 41, "sink-3", handle),
                    "bit " + bit);
            assertEquals(Reason.CORRUPT_PART, e.reason());
            assertThrows(
                    SnapshotFormatException.class,
                    () -> PartCodec.read(chunks, PIPELINE, 41, "sink-3", handle),
                    "bit " + bit);
        }
        byte[][] whole = new byte[handle.chunkCount()][];
        for (int n = 0; n < whole.length; n++) {
            whole[n] = framed.chunk(n, chunkSize);
        }
        assertCorrupt(
                "it is the part of sink-3 in checkpoint 41",
                () -> PartCodec.verify(whole, PIPELINE, 41, "sink-4", handle));
        assertCorrupt(
                "chunk 1 holds",
                () -> PartCodec.verify(new byte[][] {whole[0], new byte[3], whole[2]}, PIPELINE, 41, "sink-3", handle));
    }

    @Test
    void aPartUnderAnotherName_orUnlikeItsHandle_isCorrupt() {
        PartCodec.Framed framed = PartCodec.frame(PIPELINE, 41, "sink-3", state(50));
        byte[] part = framed.toBytes();
        StateHandle handle = framed.handle(1 << 20, new int[1], "m");

        assertCorrupt(
                "it is the part of sink-3 in checkpoint 41",
                () -> PartCodec.read(part, PIPELINE, 41, "sink-4", handle));
        assertCorrupt(
                "it is the part of sink-3 in checkpoint 41", () -> PartCodec.read(part, PIPELINE, 42, "sink-3", null));
        assertCorrupt("job-1/p", () -> PartCodec.read(part, PipelineKey.of("job-1", "q"), 41, "sink-3", null));
        StateHandle other = PartCodec.frame(PIPELINE, 41, "sink-3", state(51)).handle(1 << 20, new int[1], "m");
        assertCorrupt("the manifest names", () -> PartCodec.read(part, PIPELINE, 41, "sink-3", other));
        assertCorrupt("shorter than a part header", () -> PartCodec.read(new byte[3], PIPELINE, 41, "sink-3", null));
        byte[] notOurs = part.clone();
        notOurs[0] = 'X';
        assertCorrupt("bad magic", () -> PartCodec.read(notOurs, PIPELINE, 41, "sink-3", null));
        assertCorrupt(
                "header says",
                () -> PartCodec.read(Arrays.copyOf(part, part.length - 1), PIPELINE, 41, "sink-3", null));
        byte[] manifest = SnapshotCodec.encode(SnapshotCodecTest.golden());
        assertCorrupt("bad magic", () -> PartCodec.read(manifest, PIPELINE, 41, "sink-3", null));
    }

    @Test
    void chunksThatDoNotFitTheHandle_areCorrupt() {
        PartCodec.Framed framed = PartCodec.frame(PIPELINE, 41, "sink-3", state(100));
        StateHandle handle = framed.handle(64, new int[3], "m");
        assertCorrupt(
                "2 chunks", () -> PartCodec.join(handle, new byte[][] {framed.chunk(0, 64), framed.chunk(1, 64)}));
        assertCorrupt(
                "chunk 1 holds",
                () -> PartCodec.join(handle, new byte[][] {framed.chunk(0, 64), new byte[3], framed.chunk(2, 64)}));
    }

    @Test
    void aHandle_mustNameAsManyChunksAsItsSizeTakes() {
        assertThrows(IllegalArgumentException.class, () -> new StateHandle(100, 0, 64, new int[1], ""));
        assertThrows(IllegalArgumentException.class, () -> new StateHandle(100, 0, 64, new int[3], ""));
        assertThrows(IllegalArgumentException.class, () -> new StateHandle(100, 0, 0, new int[0], ""));
        assertEquals(36, new StateHandle(100, 0, 64, new int[2], "").chunkLength(1));
    }

    private static void assertCorrupt(String expected, org.junit.jupiter.api.function.Executable call) {
        SnapshotFormatException e = assertThrows(SnapshotFormatException.class, call);
        assertEquals(Reason.CORRUPT_PART, e.reason());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
