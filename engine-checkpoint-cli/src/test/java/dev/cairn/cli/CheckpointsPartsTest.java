package dev.cairn.cli;

import static dev.cairn.cli.CheckpointFixtures.contents;
import static dev.cairn.cli.CheckpointFixtures.storeCheckpoint;
import static dev.cairn.cli.CheckpointFixtures.storeManifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.cli.CheckpointFixtures.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The {@code checkpoints} commands on manifests (format 2): a checkpoint whose large task states
 * are stored as parts beside it, in {@code P.parts}. Each command treats a manifest and its parts
 * as one checkpoint.
 */
class CheckpointsPartsTest extends LocalStorageTest {
    private static final PipelineKey P = PipelineKey.of("job-m", "1");

    private static CheckpointId part(long id, int ordinal) {
        return FileLayout.partId(CheckpointId.of(id), ordinal);
    }

    private void populateManifests() throws Exception {
        storeCheckpoint(storage, "job-m", "1", 1, 10, 20); // format 1, before the limit was crossed
        storeManifest(storage, "job-m", "1", 2, 70_000, 80_000);
        storeManifest(storage, "job-m", "1", 3, 70_001, 80_001);
    }

    @Test
    void listAndVerify_showManifestsAsCheckpoints_andTheirPartsNever() throws Exception {
        open(Backend.LOCAL_DISK);
        populateManifests();

        Result list = checkpoints("list");
        assertEquals(0, list.status(), list.all());
        assertFalse(list.out().contains("1.parts"), list.out());
        Result verify = checkpoints("verify");
        assertEquals(0, verify.status(), verify.all());
        assertTrue(verify.out().contains("3 checked, 0 bad"), verify.out());

        Result show = checkpoints("show", "job-m", "1", "3");
        assertEquals(0, show.status(), show.all());
        assertTrue(show.out().contains("part of "), show.out());
    }

    @Test
    void aMissingOrDamagedPart_makesItsManifestFailVerification_withTheReason() throws Exception {
        open(Backend.LOCAL_DISK);
        populateManifests();
        storage.delete(FileLayout.partsOf(P), part(3, 1));
        Path damaged = namespace.resolve("job-m").resolve("1.parts").resolve(FileLayout.fileName(part(2, 0)));
        byte[] bytes = Files.readAllBytes(damaged);
        bytes[bytes.length - 5] ^= 0x40;
        Files.write(damaged, bytes);

        Result verify = checkpoints("verify");

        assertEquals(Cairn.EXIT_FAILED, verify.status(), verify.all());
        assertTrue(verify.out().contains("MISSING_PART"), verify.out());
        assertTrue(verify.out().contains("CORRUPT_PART"), verify.out());
        assertTrue(verify.out().contains("(task-1), which is not stored"), verify.out());
    }

    @Test
    void deleteAndPrune_takeAManifestsPartsAlong_andLeaveTheOthers() throws Exception {
        open(Backend.LOCAL_DISK);
        populateManifests();

        Result delete = checkpoints("delete", "--job", "job-m", "--pipeline", "1", "--id", "2", "--yes");
        assertEquals(0, delete.status(), delete.all());
        assertEquals(List.of(part(3, 0), part(3, 1)), storage.list(FileLayout.partsOf(P)));

        storeManifest(storage, "job-m", "1", 4, 70_002, 80_002);
        Result prune = checkpoints("prune", "--job", "job-m", "--keep", "1", "--yes");
        assertEquals(0, prune.status(), prune.all());
        assertEquals(List.of(CheckpointId.of(4)), storage.list(P));
        assertEquals(List.of(part(4, 0), part(4, 1)), storage.list(FileLayout.partsOf(P)));

        Result refused = checkpoints("delete", "--job", "job-m", "--pipeline", "1.parts", "--id", "1");
        assertEquals(Cairn.EXIT_INVALID, refused.status(), refused.all());
        assertTrue(refused.err().contains("holds the parts of checkpoints"), refused.err());
    }

    @Test
    void copy_copiesEachManifestsPartsBeforeIt_andAgain_findsEverythingPresent() throws Exception {
        open(Backend.LOCAL_DISK);
        populateManifests();
        Path target = CheckpointFixtures.localDiskConfig(dir.resolve("target.yaml"), dir.resolve("target"));

        Result first = checkpoints("copy", "--to-config", target.toString());
        Result again = checkpoints("copy", "--to-config", target.toString());

        assertEquals(0, first.status(), first.all());
        assertTrue(first.out().startsWith("copied 3 ("), first.out());
        assertEquals(0, again.status(), again.all());
        assertTrue(again.out().startsWith("copied 0 (0 bytes), 3 already present"), again.out());
        try (CheckpointStorage copy = CheckpointFixtures.open(target)) {
            Map<String, String> source = new TreeMap<>(contents(storage));
            assertEquals(source, contents(copy), "manifests and parts, byte for byte");
            assertEquals(4, storage.list(FileLayout.partsOf(P)).size());
        }
    }
}
