package dev.cairn.checkpoint.cluster.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.cairn.checkpoint.cluster.CairnMember;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.store.PipelineRecord;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SnapshotMapsTest {
    private static HazelcastInstance hazelcast;

    @BeforeAll
    static void start() {
        hazelcast = Hazelcast.newHazelcastInstance(SnapshotMaps.configure(CairnMember.localConfig(), 0));
    }

    @AfterAll
    static void stop() {
        hazelcast.shutdown();
    }

    @Test
    void remove_deletesEverySnapshotOfThePipeline_evenOnesItsRecordNeverNamed_andNothingElse() {
        SnapshotMaps maps = new SnapshotMaps(hazelcast);
        PipelineKey gone = PipelineKey.of("job_1", "p");
        // '_' is a wildcard of the map query that finds the keys: "jobX1" must survive all the same.
        PipelineKey lookalike = PipelineKey.of("jobX1", "p");
        PipelineKey sibling = PipelineKey.of("job_1", "p2");
        maps.update(gone, r -> r);
        for (PipelineKey pipeline : new PipelineKey[] {gone, lookalike, sibling}) {
            for (long id = 1; id <= 3; id++) {
                maps.snapshots().put(SnapshotMaps.key(pipeline, id), new byte[] {(byte) id});
            }
        }

        maps.remove(gone);

        Set<String> left = new TreeSet<>(maps.snapshots().keySet());
        Set<String> expected = new TreeSet<>();
        for (PipelineKey pipeline : new PipelineKey[] {lookalike, sibling}) {
            for (long id = 1; id <= 3; id++) {
                expected.add(SnapshotMaps.key(pipeline, id));
            }
        }
        assertEquals(expected, left);
        assertEquals(PipelineRecord.EMPTY, maps.record(gone));
    }
}
