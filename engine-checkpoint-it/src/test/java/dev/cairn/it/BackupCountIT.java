package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.map.IMap;
import dev.cairn.checkpoint.cluster.CairnMember;
import dev.cairn.checkpoint.cluster.internal.store.SnapshotMaps;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code seatunnel.engine.backup-count} is applied to Cairn's maps (SeaTunnel parses it and never
 * does): with 1, a member's death loses nothing from memory; with 0, it loses its share.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BackupCountIT {
    private static final int ENTRIES = 2_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "backup-count {0}")
    @ValueSource(ints = {0, 1, 2})
    void theConfiguredBackupCount_isWhatTheMapsUse(int backupCount) throws Exception {
        var config =
                TestCluster.engine("interval: 1000", "localfile", Map.of("namespace", dir.toString()), backupCount);
        try (TestCluster cluster = TestCluster.start(3, config)) {
            for (CairnMember member : cluster.members()) {
                for (String map : new String[] {SnapshotMaps.SNAPSHOTS, SnapshotMaps.PIPELINES, SnapshotMaps.JOBS}) {
                    assertEquals(
                            backupCount,
                            member.hazelcast().getConfig().getMapConfig(map).getBackupCount(),
                            map);
                }
            }
            IMap<String, byte[]> snapshots =
                    cluster.members().get(0).hazelcast().getMap(SnapshotMaps.SNAPSHOTS);
            for (int i = 0; i < ENTRIES; i++) {
                snapshots.set("k" + i, new byte[] {(byte) i});
            }
            long backups = 0;
            for (CairnMember member : cluster.members()) {
                backups += member.hazelcast()
                        .<String, byte[]>getMap(SnapshotMaps.SNAPSHOTS)
                        .getLocalMapStats()
                        .getBackupEntryCount();
            }
            assertEquals((long) ENTRIES * backupCount, backups, "backup entries held across members");
        }
    }

    @Test
    void withOneBackup_aKilledMemberLosesNothing_withoutAny_itLosesItsShare() throws Exception {
        assertEquals(ENTRIES, survivorsAfterAKill(1));
        int withoutBackups = survivorsAfterAKill(0);
        assertTrue(
                withoutBackups < ENTRIES,
                "with backup-count 0 the killed member's entries are gone: " + withoutBackups);
    }

    private int survivorsAfterAKill(int backupCount) throws Exception {
        var config =
                TestCluster.engine("interval: 1000", "localfile", Map.of("namespace", dir.toString()), backupCount);
        try (TestCluster cluster = TestCluster.start(3, config)) {
            IMap<String, byte[]> snapshots =
                    cluster.members().get(0).hazelcast().getMap(SnapshotMaps.SNAPSHOTS);
            for (int i = 0; i < ENTRIES; i++) {
                snapshots.set("k" + i, new byte[] {(byte) i});
            }
            cluster.kill(cluster.members().get(2));
            cluster.awaitSize(2);
            cluster.awaitSafe();
            return cluster.members()
                    .get(0)
                    .hazelcast()
                    .getMap(SnapshotMaps.SNAPSHOTS)
                    .size();
        }
    }
}
