package dev.cairn.checkpoint.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cairn.checkpoint.api.CairnEngine;
import dev.cairn.checkpoint.api.JobHandle;
import dev.cairn.checkpoint.api.JobResult;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.testkit.CairnCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quickstart job, tested as docs/job-authors.md tells a job author to: on a three-member
 * cluster in the test JVM, through a member kill, a whole-cluster kill and a network partition,
 * with its ledger checked for every transfer exactly once.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
// tag::cluster[]
class TransfersJobTest {
    @RegisterExtension
    static final CairnCluster cluster = CairnCluster.withMembers(3);

    @TempDir
    Path ledger;

    /** {@code count} transfers arriving at 20,000 a second, booked over three subtasks. */
    private JobSpec transfers(String id, long count) {
        return new JobSpec(
                JobId.of(id),
                "transfers",
                Map.of(
                        "count",
                        Long.toString(count),
                        "rate",
                        "20000",
                        "parallelism",
                        "3",
                        "ledger",
                        ledger.toString()));
    }
    // end::cluster[]

    // tag::member-kill[]
    @Test
    void aMemberKilledMidJob_losesNothing_andRepeatsNothing() throws Exception {
        JobHandle job = cluster.engine().submit(transfers("member-kill", 100_000));
        cluster.await(job, status -> status.checkpointsCommitted() >= 2);

        assertFalse(job.result().isDone(), "the kill comes mid-job");
        cluster.killMember(1); // as kill -9 would

        JobResult end = job.result().get(2, TimeUnit.MINUTES);
        assertEquals(JobState.FINISHED, end.state(), end.status().message());
        assertExactlyOnce(100_000);
    }
    // end::member-kill[]

    // tag::full-restart[]
    @Test
    void aWholeClusterKilledMidJob_resumesFromStorage_exactlyOnce() throws Exception {
        JobHandle job = cluster.engine().submit(transfers("full-restart", 100_000));
        cluster.await(job, status -> status.checkpointsCommitted() >= 2);

        assertFalse(job.result().isDone(), "the kill comes mid-job");
        cluster.killAll(); // every member at once; the storage survives
        cluster.restartAll();
        JobHandle resumed = cluster.engine().submit(transfers("full-restart", 100_000)); // same id: resume

        JobResult end = resumed.result().get(2, TimeUnit.MINUTES);
        assertEquals(JobState.FINISHED, end.state(), end.status().message());
        assertExactlyOnce(100_000);
    }
    // end::full-restart[]

    @Test
    void aPartitionedMember_neitherRunsTheJobTwice_norLosesIt() throws Exception {
        JobHandle job = cluster.engine().submit(transfers("partition", 100_000));
        cluster.await(job, status -> status.checkpointsCommitted() >= 2);

        assertFalse(job.result().isDone(), "the partition comes mid-job");
        long epoch = job.status().orElseThrow().epoch();
        var alone = cluster.members().get(2);
        cluster.partition(2); // member 2 alone on one side, both sides live on
        CairnCluster.await(
                Duration.ofSeconds(30),
                "member 2 sees itself alone",
                () -> alone.hazelcast().getCluster().getMembers().size() == 1);
        long committed = job.status().orElseThrow().checkpointsCommitted();
        cluster.await(job, status -> status.checkpointsCommitted() >= committed + 2); // the majority goes on
        cluster.heal();

        JobResult end = job.result().get(2, TimeUnit.MINUTES);
        assertEquals(JobState.FINISHED, end.state(), end.status().message());
        assertEquals(epoch, end.status().epoch(), "one master throughout: the lone member never took the job");
        assertExactlyOnce(100_000);
    }

    @Test
    void inThisProcess_theSameJobRuns_toTheEnd() throws Exception {
        // tag::local[]
        EngineConfig config = EngineConfig.builder()
                .checkpointInterval(Duration.ofMillis(500))
                .storage(
                        "localfile",
                        Map.of("namespace", ledger.resolve("checkpoints").toString()))
                .build();
        try (CairnEngine engine = CairnEngine.local(config)) {
            JobResult end = engine.submit(transfers("local", 100_000)).result().get();
            assertEquals(JobState.FINISHED, end.state(), end.status().message());
        }
        // end::local[]
        assertExactlyOnce(100_000);
    }

    // tag::exactly-once[]
    /** Every transfer id below {@code count} is in the ledger's committed lines once. */
    private void assertExactlyOnce(long count) throws Exception {
        List<String> lines = Ledger.open(ledger).committedLines();
        Map<Long, Long> times = lines.stream()
                .collect(Collectors.groupingBy(line -> Long.parseLong(line.split(",")[0]), Collectors.counting()));
        assertEquals(count, times.size(), "transfers booked");
        assertEquals(count, lines.size(), "lines: a transfer booked twice shows here");
    }
    // end::exactly-once[]
}
