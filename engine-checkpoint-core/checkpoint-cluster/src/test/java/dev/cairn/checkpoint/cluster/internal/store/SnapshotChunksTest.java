package dev.cairn.checkpoint.cluster.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.test.HazelcastTestSupport;
import com.hazelcast.test.TestHazelcastInstanceFactory;
import dev.cairn.checkpoint.snapshot.PartCodec;
import dev.cairn.checkpoint.snapshot.SnapshotFormatException;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.store.ChunkKey;
import dev.cairn.checkpoint.store.StateParts;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Task states put aside in chunks, on three members with one backup: each member's chunks land in
 * partitions it owns (the put is local), any member reads them back whole and verified, and they
 * outlive the member that wrote them.
 */
class SnapshotChunksTest {
    private static final PipelineKey PIPELINE = PipelineKey.of("job-chunks", "1");
    private static TestHazelcastInstanceFactory factory;
    private static HazelcastInstance[] members;

    @BeforeAll
    static void start() {
        factory = new TestHazelcastInstanceFactory(3);
        members = factory.newInstances(SnapshotMaps.configure(new Config(), 1));
        HazelcastTestSupport.waitAllForSafeState(members);
    }

    @AfterAll
    static void stop() {
        factory.terminateAll();
    }

    private static byte[] state(int seed, int size) {
        byte[] state = new byte[size];
        new Random(seed).nextBytes(state);
        return state;
    }

    @Test
    void eachMembersChunks_landInPartitionsItOwns_andAnyMemberReadsThemBack() throws Exception {
        long id = 7;
        TaskState[] written = new TaskState[members.length];
        for (int i = 0; i < members.length; i++) {
            written[i] = StateParts.write(
                            new SnapshotMaps(members[i]), PIPELINE, id, "task-" + i, state(i, 10_000), 4096, "m" + i)
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        }
        for (int i = 0; i < members.length; i++) {
            TaskState s = written[i];
            assertEquals(3, s.handle().chunkCount(), "10,000 bytes and a header in chunks of 4 KiB");
            Set<String> local =
                    members[i].<String, byte[]>getMap(SnapshotMaps.SNAPSHOTS).localKeySet();
            for (int n = 0; n < s.handle().chunkCount(); n++) {
                String key = SnapshotMaps.key(
                        new ChunkKey(PIPELINE, id, s.taskId(), n, s.handle().placements()[n]));
                assertTrue(local.contains(key), "chunk " + n + " of member " + i + " is in a partition it owns");
            }
            SnapshotMaps reader = new SnapshotMaps(members[(i + 1) % members.length]);
            byte[][] chunks = StateParts.chunksFromMemory(reader, PIPELINE, id, s);
            assertArrayEquals(state(i, 10_000), PartCodec.read(chunks, PIPELINE, id, s.taskId(), s.handle()));
        }
        assertEquals(Set.of(id), new SnapshotMaps(members[0]).chunkedIds(PIPELINE));

        new SnapshotMaps(members[2]).deleteChunks(PIPELINE, id);
        assertEquals(Set.of(), new SnapshotMaps(members[0]).chunkedIds(PIPELINE));
        SnapshotFormatException gone = org.junit.jupiter.api.Assertions.assertThrows(
                SnapshotFormatException.class,
                () -> StateParts.chunksFromMemory(new SnapshotMaps(members[0]), PIPELINE, id, written[1]));
        assertEquals(SnapshotFormatException.Reason.MISSING_PART, gone.reason());
    }

    @Test
    void chunks_outliveTheMemberThatWroteThem_withOneBackup() throws Exception {
        TestHazelcastInstanceFactory own = new TestHazelcastInstanceFactory(3);
        try {
            HazelcastInstance[] three = own.newInstances(SnapshotMaps.configure(new Config(), 1));
            HazelcastTestSupport.waitAllForSafeState(three);
            TaskState s = StateParts.write(
                            new SnapshotMaps(three[0]), PIPELINE, 9, "sink-0", state(9, 50_000), 8192, "m0")
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            three[0].getLifecycleService().terminate();
            byte[][] chunks = StateParts.chunksFromMemory(new SnapshotMaps(three[1]), PIPELINE, 9, s);
            assertArrayEquals(state(9, 50_000), PartCodec.read(chunks, PIPELINE, 9, "sink-0", s.handle()));
        } finally {
            own.terminateAll();
        }
    }

    /**
     * A finished job's records leave the map on its master; every member lets go of the parts it
     * still holds of them then, not a minute later when they expire, and keeps those of other jobs.
     */
    @Test
    void aRemovedPipeline_isLetGoFromEveryMembersHeldParts_andNoOther() throws Exception {
        PipelineKey gone = PipelineKey.of("job-finished", "1");
        PipelineKey kept = PipelineKey.of("job-running", "1");
        SnapshotMaps[] maps = new SnapshotMaps[members.length];
        long[] keptBytes = new long[members.length];
        for (int i = 0; i < members.length; i++) {
            maps[i] = new SnapshotMaps(members[i]);
            maps[i].forgetHeldPartsOfRemovedPipelines();
        }
        maps[0].update(gone, record -> record);
        maps[0].update(kept, record -> record);
        for (int i = 0; i < members.length; i++) {
            StateParts.write(maps[i], gone, 4, "task-" + i, state(i, 20_000), 4096, "m" + i, true)
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            keptBytes[i] = StateParts.write(maps[i], kept, 4, "task-" + i, state(i, 10_000), 4096, "m" + i, true)
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS)
                    .handle()
                    .size();
            assertTrue(maps[i].heldParts().bytes() > keptBytes[i] + 20_000, "member " + i + " holds both parts");
        }

        maps[1].remove(gone); // members 0 and 2 hear of it only through the listener

        for (int i = 0; i < members.length; i++) {
            SnapshotMaps member = maps[i];
            long expected = keptBytes[i];
            HazelcastTestSupport.assertEqualsEventually(() -> member.heldParts().bytes(), expected);
        }
        assertFalse(members[2].getMap(SnapshotMaps.PIPELINES).containsKey(SnapshotMaps.key(gone)));
        assertTrue(members[2].getMap(SnapshotMaps.PIPELINES).containsKey(SnapshotMaps.key(kept)));
    }
}
