package dev.cairn.checkpoint.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.snapshot.SnapshotFormatException.Reason;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * The read path of a stored checkpoint, with hostile files: a checkpoint file of the {@code
 * localfile} plugin (found as the engine finds it) corrupted on disk — random bytes, empty,
 * truncated, extended, bit-flipped, a header claiming a huge payload — is loaded byte for byte or
 * refused by the plugin with a CheckpointStorageException, and {@link SnapshotCodec#decode}
 * refuses what was loaded with a SnapshotFormatException. Never another exception, never a
 * checkpoint.
 */
class StoredBlobFuzzTest {
    private static final PipelineKey PIPELINE = PipelineKey.of("job-fuzz", "pipeline-1");
    private static final CheckpointId ID = CheckpointId.of(7);
    private static final Duration TIME_BOUND = Duration.ofSeconds(5);

    private static Path root;
    private static CheckpointStorage storage;
    /** Where the plugin keeps checkpoint {@link #ID} of {@link #PIPELINE}. */
    private static Path file;

    @BeforeContainer
    static void openStorage() throws Exception {
        root = Files.createTempDirectory("stored-blob-fuzz");
        storage = CheckpointStorageFactories.find("localfile", StoredBlobFuzzTest.class.getClassLoader())
                .create(Map.of("namespace", root.toString()));
        byte[] golden = SnapshotCodec.encode(SnapshotCodecTest.golden());
        storage.store(PIPELINE, ID, new ByteArrayInputStream(golden));
        file = root.resolve(PIPELINE.jobId().value())
                .resolve(PIPELINE.pipeline())
                .resolve(FileLayout.fileName(ID));
        assertArrayEquals(golden, Files.readAllBytes(file), "the plugin's file layout");
        assertEquals(
                SnapshotCodecTest.golden(),
                SnapshotCodec.decode(storage.load(PIPELINE, ID).orElseThrow()));
    }

    @AfterContainer
    static void closeStorage() throws IOException {
        if (storage != null) {
            storage.close();
        }
        if (root != null) {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Property(tries = 5000)
    void corruptedFiles_loadThenDecode_failCleanly(@ForAll("corruptedFiles") Corrupted corrupted) throws Exception {
        Files.write(file, corrupted.bytes());

        Optional<byte[]> loaded;
        try {
            loaded = storage.load(PIPELINE, ID);
        } catch (CheckpointStorageException e) {
            Statistics.label("refused as").collect("refused by the plugin");
            return;
        }

        assertTrue(loaded.isPresent(), "the file is there");
        assertArrayEquals(corrupted.bytes(), loaded.get(), "load returns the file byte for byte");
        SnapshotFormatException e = SnapshotFuzzTest.assertRefused(loaded.get());
        Statistics.label("refused as").collect(e.reason());
        Statistics.label("refused as").coverage(c -> {
            c.check(Reason.LENGTH_MISMATCH).percentage(p -> p > 10);
            c.check(Reason.CHECKSUM_MISMATCH).percentage(p -> p > 5);
        });
        assertTrue(
                corrupted.reasons().contains(e.reason()),
                corrupted + " was refused as " + e.reason() + ": " + e.getMessage());
    }

    /** A sparse file over 2 GiB: the plugin refuses it from its size, without reading or allocating. */
    @Example
    void aFileOver2GiB_isRefusedByLoad_quickly() throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(3L << 30);
            raf.seek(0);
            raf.write(SnapshotCodec.encode(SnapshotCodecTest.golden()));
        }
        try {
            CheckpointStorageException e = assertTimeoutPreemptively(
                    TIME_BOUND, () -> assertThrows(CheckpointStorageException.class, () -> storage.load(PIPELINE, ID)));
            assertTrue(e.getMessage().contains("too large"), e.getMessage());
        } finally {
            Files.write(file, new byte[0]);
        }
    }

    // ------------------------------------------------------------------------------------------

    /** A checkpoint file as a corruption left it, and the reasons decode may give for refusing it. */
    record Corrupted(String how, byte[] bytes, List<Reason> reasons) {
        @Override
        public String toString() {
            return how + " (" + SnapshotFuzzTest.describe(bytes) + ")";
        }
    }

    @Provide
    Arbitrary<Corrupted> corruptedFiles() {
        Arbitrary<byte[]> blobs = SnapshotFuzzTest.checkpoints(0).map(SnapshotCodec::encode);
        Arbitrary<byte[]> randomBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(400);
        List<Reason> any = Arrays.asList(Reason.values());
        return Arbitraries.oneOf(
                randomBytes.map(b -> new Corrupted("random bytes", b, any)),
                Arbitraries.just(new Corrupted("empty", new byte[0], List.of(Reason.TOO_SHORT))),
                Combinators.combine(blobs, SnapshotFuzzTest.positions())
                        .as((blob, cut) -> new Corrupted(
                                "truncated at " + cut % blob.length,
                                Arrays.copyOf(blob, cut % blob.length),
                                List.of(Reason.TOO_SHORT, Reason.LENGTH_MISMATCH))),
                Combinators.combine(
                                blobs,
                                Arbitraries.bytes()
                                        .array(byte[].class)
                                        .ofMinSize(1)
                                        .ofMaxSize(64))
                        .as((blob, extra) -> new Corrupted(
                                "extended by " + extra.length,
                                SnapshotFuzzTest.concat(blob, extra),
                                List.of(Reason.LENGTH_MISMATCH))),
                Combinators.combine(
                                blobs,
                                SnapshotFuzzTest.positions().list().ofMinSize(1).ofMaxSize(3))
                        .as(StoredBlobFuzzTest::bitFlipped)
                        .filter(c -> c != null),
                Combinators.combine(blobs, lengthsClaimed())
                        .as((blob, length) -> withLengthField(blob, length, "claiming " + length + " payload bytes")),
                lengthsClaimed().map(StoredBlobFuzzTest::headerOnly),
                Combinators.combine(blobs, blobs, SnapshotFuzzTest.positions())
                        .as(StoredBlobFuzzTest::torn)
                        .filter(c -> c != null));
    }

    /** Payload lengths a header may claim: 0 to 2^32 - 1 as read, mostly far more than the file holds. */
    private static Arbitrary<Long> lengthsClaimed() {
        return Arbitraries.oneOf(
                Arbitraries.of(0L, 1L, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 1L << 30),
                Arbitraries.longs().between(0, 0xFFFF_FFFFL));
    }

    private static Corrupted bitFlipped(byte[] blob, List<Integer> bits) {
        byte[] flipped = blob.clone();
        bits.stream()
                .mapToInt(b -> b % (blob.length * 8))
                .distinct()
                .forEach(bit -> flipped[bit / 8] ^= (byte) (1 << (bit % 8)));
        if (Arrays.equals(blob, flipped)) {
            return null;
        }
        return new Corrupted("bits flipped " + bits, flipped, Arrays.asList(Reason.values()));
    }

    /** The file holds the start of one checkpoint and the end of another, the header of the first. */
    private static Corrupted torn(byte[] first, byte[] second, int at) {
        int cut = SnapshotCodec.HEADER_SIZE + at % Math.max(1, first.length - SnapshotCodec.HEADER_SIZE);
        byte[] torn = Arrays.copyOf(first, first.length);
        int fromSecond = Math.min(first.length - cut, Math.max(0, second.length - cut));
        if (fromSecond > 0) {
            System.arraycopy(second, cut, torn, cut, fromSecond);
        }
        if (Arrays.equals(first, torn)) {
            return null;
        }
        return new Corrupted("torn at " + cut, torn, List.of(Reason.CHECKSUM_MISMATCH));
    }

    private static Corrupted withLengthField(byte[] blob, long length, String how) {
        byte[] changed = blob.clone();
        ByteBuffer.wrap(changed).putInt(12, (int) length);
        if (length == blob.length - SnapshotCodec.HEADER_SIZE) {
            // Not a corruption after all: make it one the checksum catches.
            changed[changed.length - 1] ^= 1;
            return new Corrupted(how + ", last byte flipped", changed, List.of(Reason.CHECKSUM_MISMATCH));
        }
        return new Corrupted(how, changed, List.of(Reason.LENGTH_MISMATCH));
    }

    /** Only a header, claiming {@code length} payload bytes, with the golden checkpoint's checksum. */
    private static Corrupted headerOnly(long length) {
        byte[] header = Arrays.copyOf(SnapshotCodec.encode(SnapshotCodecTest.golden()), SnapshotCodec.HEADER_SIZE);
        ByteBuffer.wrap(header).putInt(12, (int) length);
        return new Corrupted(
                "a header alone, claiming " + length,
                header,
                List.of(length == 0 ? Reason.CHECKSUM_MISMATCH : Reason.LENGTH_MISMATCH));
    }
}
