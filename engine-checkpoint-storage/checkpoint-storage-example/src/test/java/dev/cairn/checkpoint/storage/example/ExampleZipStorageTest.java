package dev.cairn.checkpoint.storage.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the contract suite cannot see: the archives on disk. */
class ExampleZipStorageTest {
    private static final byte[] ZEROS = new byte[100_000];

    @TempDir
    Path root;

    @Test
    void oneArchivePerJob_oneEntryPerCheckpoint_andNoTemporaryFileRemains() throws Exception {
        try (CheckpointStorage storage = open("true")) {
            storage.store(PipelineKey.of("job-7", "1"), CheckpointId.of(9), new ByteArrayInputStream(ZEROS));
            storage.store(PipelineKey.of("job-7", "1"), CheckpointId.of(10), new ByteArrayInputStream(new byte[] {1}));
            storage.store(PipelineKey.of("job-7", "2"), CheckpointId.of(3), new ByteArrayInputStream(new byte[] {2}));
            storage.store(PipelineKey.of("job-8", "1"), CheckpointId.of(1), new ByteArrayInputStream(new byte[] {3}));
            storage.delete(PipelineKey.of("job-7", "1"), CheckpointId.of(10));
        }

        assertEquals(List.of("job-7.zip", "job-8.zip"), names(root));
        try (ZipFile zip = new ZipFile(root.resolve("job-7.zip").toFile())) {
            assertEquals(
                    List.of("2/0000000000000000003.ckpt", "1/0000000000000000009.ckpt"),
                    Collections.list(zip.entries()).stream()
                            .map(ZipEntry::getName)
                            .toList(),
                    "the newest store first, then the entries it kept");
            ZipEntry entry = zip.getEntry("1/0000000000000000009.ckpt");
            assertEquals(ZEROS.length, entry.getSize());
            assertTrue(entry.getCompressedSize() < ZEROS.length / 10, "compressed: " + entry.getCompressedSize());
            assertArrayEquals(ZEROS, zip.getInputStream(entry).readAllBytes());
        }
    }

    @Test
    void aFailedStore_leavesTheOldArchiveByteForByte_andNoTemporaryFile() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-7", "1");
        try (CheckpointStorage storage = open("true")) {
            storage.store(pipeline, CheckpointId.of(1), new ByteArrayInputStream(new byte[] {1}));
            byte[] before = Files.readAllBytes(root.resolve("job-7.zip"));
            InputStream failing = new SequenceInputStream(new ByteArrayInputStream(ZEROS), new InputStream() {
                @Override
                public int read() throws IOException {
                    throw new IOException("source broke");
                }
            });

            assertThrows(CheckpointStorageException.class, () -> storage.store(pipeline, CheckpointId.of(2), failing));

            assertArrayEquals(before, Files.readAllBytes(root.resolve("job-7.zip")));
            assertEquals(List.of("job-7.zip"), names(root));
        }
    }

    @Test
    void compressFalse_storesTheBytesUncompressed() throws Exception {
        try (CheckpointStorage storage = open("false")) {
            storage.store(PipelineKey.of("job-7", "1"), CheckpointId.of(1), new ByteArrayInputStream(ZEROS));
            assertTrue(storage.toString().endsWith("(uncompressed)"), storage.toString());
            assertArrayEquals(
                    ZEROS,
                    storage.load(PipelineKey.of("job-7", "1"), CheckpointId.of(1))
                            .orElseThrow());
        }

        try (ZipFile zip = new ZipFile(root.resolve("job-7.zip").toFile())) {
            assertTrue(zip.getEntry("1/0000000000000000001.ckpt").getCompressedSize() >= ZEROS.length);
        }
    }

    @Test
    void foreignFilesAndEntries_areIgnored() throws Exception {
        Files.write(root.resolve(".job-1.zip.0b3c5a3e-5d4f-4f4e-9b8a-1c2d3e4f5a6b.tmp"), new byte[10]);
        Files.write(root.resolve("notes.txt"), new byte[1]);
        Files.createDirectories(root.resolve("dir.zip"));
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(root.resolve("job-1.zip")))) {
            for (String name : List.of(
                    "readme.txt",
                    "1/notes.txt",
                    "1/9.ckpt",
                    ".x/0000000000000000001.ckpt",
                    "a/b/0000000000000000001.ckpt")) {
                zip.putNextEntry(new ZipEntry(name));
                zip.closeEntry();
            }
        }
        try (CheckpointStorage storage = open("true")) {
            PipelineKey pipeline = PipelineKey.of("job-1", "1");
            assertEquals(List.of(pipeline.jobId()), storage.jobs());
            assertEquals(List.of(), storage.pipelines(pipeline.jobId()));

            storage.store(pipeline, CheckpointId.of(1), new ByteArrayInputStream(new byte[] {1}));

            assertEquals(List.of(pipeline), storage.pipelines(pipeline.jobId()));
            assertEquals(List.of(CheckpointId.of(1)), storage.list(pipeline));
        }
    }

    @Test
    void aDamagedArchive_failsWithThePathAndTheJob() throws Exception {
        Path archive = Files.write(root.resolve("job-7.zip"), "not a zip".getBytes());
        try (CheckpointStorage storage = open("true")) {
            CheckpointStorageException e = assertThrows(
                    CheckpointStorageException.class,
                    () -> storage.load(PipelineKey.of("job-7", "1"), CheckpointId.of(1)));
            assertTrue(
                    e.getMessage()
                            .startsWith("cannot load checkpoint (job job-7, pipeline 1, checkpoint 1, path " + archive
                                    + "): ZipException"),
                    e.getMessage());
        }
    }

    private CheckpointStorage open(String compress) {
        return new ExampleZipStorageFactory().create(Map.of("directory", root.toString(), "compress", compress));
    }

    /** The files in {@code dir}, but the writers' lock files (one per job written, kept by design). */
    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(name -> !(name.startsWith(".") && name.endsWith(".zip.lock")))
                    .sorted()
                    .toList();
        }
    }
}
