package dev.cairn.checkpoint.storage.hdfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the contract suite cannot see on the local disk: the files themselves. */
class LocalDiskFilesTest {
    @TempDir
    Path root;

    private final PipelineKey pipeline = PipelineKey.of("job-3", "1");

    private CheckpointStorage open() throws Exception {
        return new HdfsStorageFactory().create(Map.of("storage.type", "local", "namespace", root.toString()));
    }

    @Test
    void store_leavesOnlyTheCheckpoint_noCrcSidecar_noTemporaryFile_withNormalPermissions() throws Exception {
        try (CheckpointStorage storage = open()) {
            storage.store(pipeline, CheckpointId.of(12), new ByteArrayInputStream(new byte[4096]));
        }

        Path dir = root.resolve("job-3").resolve("1");
        assertEquals(List.of("0000000000000000012.ckpt"), names(dir));
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir.resolve("0000000000000000012.ckpt"));
        assertTrue(permissions.containsAll(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
        assertFalse(permissions.contains(PosixFilePermission.OTHERS_WRITE), permissions.toString());
    }

    @Test
    void listings_ignoreTemporaryFilesAndSidecars_andDeleteRemovesStaleTemporaries() throws Exception {
        Path dir = Files.createDirectories(root.resolve("job-3").resolve("1"));
        String stale = FileLayout.tempFileName(CheckpointId.of(1));
        Files.write(dir.resolve(stale), new byte[3]);
        Files.write(dir.resolve(".0000000000000000002.ckpt.crc"), new byte[3]);

        try (CheckpointStorage storage = open()) {
            assertEquals(List.of(), storage.list(pipeline));
            storage.store(pipeline, CheckpointId.of(2), new ByteArrayInputStream(new byte[] {2}));
            storage.delete(pipeline, CheckpointId.of(1));
            assertEquals(List.of(CheckpointId.of(2)), storage.list(pipeline));
        }

        assertEquals(List.of(".0000000000000000002.ckpt.crc", "0000000000000000002.ckpt"), names(dir));
    }

    @Test
    void load_readsTheFileAsItIs_aCrcSidecarOfAnOlderVersionIsIgnored_andADirectoryIsAnError() throws Exception {
        Path dir = Files.createDirectories(root.resolve("job-3").resolve("1"));
        byte[] data = new byte[4096 + 17];
        new java.util.Random(3).nextBytes(data);
        Files.write(dir.resolve("0000000000000000005.ckpt"), data);
        Files.write(dir.resolve(".0000000000000000005.ckpt.crc"), new byte[] {1, 2, 3}); // stale: would fail a check
        Files.createDirectories(dir.resolve("0000000000000000006.ckpt"));

        try (CheckpointStorage storage = open()) {
            assertArrayEquals(data, storage.load(pipeline, CheckpointId.of(5)).orElseThrow());
            assertEquals(java.util.Optional.empty(), storage.load(pipeline, CheckpointId.of(7)));
            CheckpointStorageException e =
                    assertThrows(CheckpointStorageException.class, () -> storage.load(pipeline, CheckpointId.of(6)));
            assertTrue(e.getMessage().contains("0000000000000000006.ckpt"), e.getMessage());
        }
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
