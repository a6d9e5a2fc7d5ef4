package dev.cairn.checkpoint.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.CairnEngine;
import dev.cairn.checkpoint.api.ClusterAddress;
import dev.cairn.checkpoint.api.JobHandle;
import dev.cairn.checkpoint.api.JobResult;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.quickstart.Ledger;
import dev.cairn.checkpoint.storage.api.JobId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A cluster over loopback is reached the way a client outside the test reaches members: by address. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LoopbackClusterTest {
    @RegisterExtension
    static final CairnCluster cluster = CairnCluster.withMembers(2).overLoopback();

    @TempDir
    Path ledger;

    @Test
    void aClientConnectingByAddress_runsAJob_evenAfterAMemberWasReplaced() throws Exception {
        cluster.killMember(0);
        cluster.addMember(); // on a port of its own, found by the survivor
        CairnCluster.await(Duration.ofSeconds(30), "the new member joined", () -> cluster.members().stream()
                .allMatch(m -> m.hazelcast().getCluster().getMembers().size() == 2));
        List<String> addresses = cluster.addresses();
        assertEquals(2, addresses.size(), addresses.toString());
        assertTrue(addresses.stream().allMatch(a -> a.startsWith("127.0.0.1:")), addresses.toString());

        try (CairnEngine engine =
                CairnEngine.connect(ClusterAddress.of(cluster.clusterName(), addresses.toArray(String[]::new)))) {
            JobHandle job = engine.submit(new JobSpec(
                    JobId.of("loopback"),
                    "transfers",
                    Map.of("count", "20000", "parallelism", "2", "ledger", ledger.toString())));
            JobResult result = job.result().get(90, TimeUnit.SECONDS);

            assertEquals(JobState.FINISHED, result.state(), result.toString());
        }
        assertEquals(20_000, Ledger.open(ledger).committedLines().size());
    }

    @Test
    void partitions_areRefused_forTheyNeedTheTestNetwork() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cluster.partition(0));
        assertTrue(e.getMessage().contains("test network"), e.getMessage());
    }
}
