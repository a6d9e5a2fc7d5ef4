package dev.cairn.checkpoint.storage.localfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.ConfigProblem;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the contract suite cannot see: the files on disk, and configuration. */
class LocalFileStorageTest {
    private final LocalFileStorageFactory factory = new LocalFileStorageFactory();
    private final PipelineKey pipeline = PipelineKey.of("job-7", "1");

    @TempDir
    Path root;

    @Test
    void store_writesTheDocumentedLayout_andNoTemporaryFileRemains() throws Exception {
        try (CheckpointStorage storage = open(root)) {
            storage.store(pipeline, CheckpointId.of(9), new ByteArrayInputStream(new byte[] {1, 2, 3}));
        }

        Path dir = root.resolve("job-7").resolve("1");
        assertEquals(List.of("0000000000000000009.ckpt"), names(dir));
        assertEquals(3, Files.size(dir.resolve("0000000000000000009.ckpt")));
    }

    @Test
    void namespaceWithAndWithoutTrailingSeparator_isTheSameDirectory() throws Exception {
        try (CheckpointStorage with = open(Path.of(root + "/ns/"));
                CheckpointStorage without = factory.create(Map.of("namespace", root + "/ns"))) {
            with.store(pipeline, CheckpointId.of(1), new ByteArrayInputStream(new byte[] {1}));
            assertEquals(List.of(CheckpointId.of(1)), without.list(pipeline));
        }
    }

    @Test
    void listings_ignoreTemporaryAndForeignFiles() throws Exception {
        Path dir = Files.createDirectories(root.resolve("job-7").resolve("1"));
        Files.write(dir.resolve(FileLayout.tempFileName(CheckpointId.of(4))), new byte[10]);
        Files.write(dir.resolve("notes.txt"), new byte[1]);
        Files.write(dir.resolve("0000000000000000003.ckpt.crc"), new byte[1]);
        Files.write(dir.resolve("3.ckpt"), new byte[1]);
        Files.createDirectories(root.resolve(".trash"));
        Files.write(root.resolve("stray-file"), new byte[1]);

        try (CheckpointStorage storage = open(root)) {
            assertEquals(List.of(), storage.list(pipeline));
            assertEquals(List.of(pipeline.jobId()), storage.jobs());
        }
    }

    @Test
    void delete_removesTemporaryFilesOfCrashedStores_upToThatId() throws Exception {
        Path dir = Files.createDirectories(root.resolve("job-7").resolve("1"));
        String crashedOld = FileLayout.tempFileName(CheckpointId.of(2));
        String crashedNew = FileLayout.tempFileName(CheckpointId.of(6));
        Files.write(dir.resolve(crashedOld), new byte[10]);
        Files.write(dir.resolve(crashedNew), new byte[10]);

        try (CheckpointStorage storage = open(root)) {
            storage.store(pipeline, CheckpointId.of(3), new ByteArrayInputStream(new byte[] {3}));
            storage.delete(pipeline, CheckpointId.of(3));
        }

        assertEquals(List.of(crashedNew), names(dir));
    }

    @Test
    void unwritableNamespace_failsWithThePath() throws Exception {
        Path file = Files.write(root.resolve("a-file"), new byte[1]);
        try (CheckpointStorage storage = open(file)) {
            CheckpointStorageException e = assertThrows(
                    CheckpointStorageException.class,
                    () -> storage.store(pipeline, CheckpointId.of(1), new ByteArrayInputStream(new byte[1])));
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("job job-7, pipeline 1, checkpoint 1"), e.getMessage());
        }
    }

    @Test
    void validate_reportsUnknownKeysWithASuggestion() {
        assertEquals(
                List.of(new ConfigProblem("namespce", "unknown key; did you mean 'namespace'?")),
                factory.validate(Map.of("namespce", "/x")));
        assertEquals(
                List.of(new ConfigProblem("namespace", "must be a directory path, was \" \"")),
                factory.validate(Map.of("namespace", " ")));
        assertEquals(List.of(), factory.validate(Map.of("namespace", "C:\\ProgramData\\seatunnel\\checkpoint\\")));
    }

    @Test
    void create_withInvalidConfig_refuses() {
        assertThrows(IllegalArgumentException.class, () -> factory.create(Map.of("K1", "V1")));
    }

    private CheckpointStorage open(Path namespace) {
        return factory.create(Map.of("namespace", namespace.toString()));
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
