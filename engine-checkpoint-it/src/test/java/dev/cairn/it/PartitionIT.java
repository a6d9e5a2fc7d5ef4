package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.cluster.CairnMember;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network partitions of a 3-member cluster on Hazelcast's test network (all traffic between the
 * sides dropped both ways, connections closed), with a strict two-phase-commit job that never
 * dedupes and never aborts a transaction it does not own, over one storage all members share. Each
 * partition lasts several seconds, then heals, and the job runs to its end. Asserted: no record
 * lost or committed twice; no commit before its checkpoint was in storage; a side without a quorum
 * runs no master and no task; no checkpoint id stored twice with different content; a deposed
 * master never deletes the new epoch's checkpoints; the newest stored checkpoint is never of a
 * stale epoch once the new epoch has stored one.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PartitionIT {
    private static final long RECORDS = 60_000;
    private static final String JOB = "split";

    @TempDir
    Path dir;

    private String broker;
    private CheckpointStorage storage;
    private EngineConfig config;

    @BeforeEach
    void setUp(TestInfo test) throws Exception {
        EpochWatch.reset();
        broker = "partition-" + test.getTestMethod().orElseThrow().getName();
        Map<String, String> storageConfig =
                Map.of("namespace", dir.resolve("ckpt").toString());
        storage = CheckpointStorageFactories.find("localfile", getClass().getClassLoader())
                .create(storageConfig);
        TransactionBroker.named(broker).requireStoredBeforeCommit(TransactionBroker.storedIn(storage));
        config = TestCluster.engine(
                "interval: 200\ntimeout: 10000", "localfile", storageConfig, 1, "orphan-task-timeout: 2000");
    }

    @AfterEach
    void tearDown() {
        TransactionBroker.forget(broker);
        storage.close();
    }

    /** The master is cut off alone: it stops; the other two elect a master that carries on. */
    @Test
    void theMasterAlone_stops_theMajorityCarriesOn() throws Exception {
        run(cluster -> List.of(cluster.masterOf(JOB)), true);
    }

    /** A member holding the job's records (not the master) is cut off alone: it takes nothing over. */
    @Test
    void aReplicaHolderAlone_takesNothingOver() throws Exception {
        run(
                cluster -> {
                    CairnMember master = cluster.masterOf(JOB);
                    CairnMember owner = (CairnMember) cluster.members().stream()
                            .filter(m -> m != master)
                            .filter(m -> m.hazelcast()
                                    .getPartitionService()
                                    .getPartition(JOB + "/1")
                                    .getOwner()
                                    .localMember())
                            .findFirst()
                            .orElse(cluster.members().stream()
                                    .filter(m -> m != master)
                                    .findFirst()
                                    .orElseThrow());
                    return List.of(owner);
                },
                true);
    }

    /** Every member alone: no side has a quorum, nothing runs or commits until the heal. */
    @Test
    void everyMemberAlone_noQuorumAnywhere_nothingCommits_untilTheHeal() throws Exception {
        run(cluster -> null, false);
    }

    private interface Side {
        /** The members to cut off together, or null to cut every member off alone. */
        List<CairnMember> pick(TestCluster cluster);
    }

    private void run(Side side, boolean majorityRemains) throws Exception {
        TransactionBroker commits = TransactionBroker.named(broker);
        try (TestCluster cluster = TestCluster.startPartitionable(3, config, EpochWatch::new)) {
            cluster.submit(StrictTwoPhaseCommitJob.spec(JOB, RECORDS, 3, 4_000, broker));
            cluster.awaitJob(JOB, r -> r.recordsCommitted() > 4_000, Duration.ofSeconds(60));
            TestCluster.await(() -> cluster.masterOf(JOB) != null, Duration.ofSeconds(30), "a master");
            List<CairnMember> cut = side.pick(cluster);
            MasterSampler sampler = new MasterSampler(cluster);
            sampler.start();

            if (cut == null) {
                cluster.isolateEveryMember();
                for (CairnMember member : cluster.members()) {
                    TestCluster.await(
                            () -> member.hazelcast().getCluster().getMembers().size() == 1,
                            Duration.ofSeconds(20),
                            "every member alone");
                }
            } else {
                cluster.partition(cut);
                for (CairnMember member : cut) {
                    TestCluster.await(
                            () -> member.hazelcast().getCluster().getMembers().size() == cut.size(),
                            Duration.ofSeconds(20),
                            "the cut-off side sees itself alone");
                }
            }
            List<CairnMember> minority = cut == null ? cluster.members() : cut;
            for (CairnMember member : minority) {
                TestCluster.await(
                        () -> !member.runsMasterOf(JOB), Duration.ofSeconds(10), "no master on a side without quorum");
                TestCluster.await(
                        () -> member.runningTaskGroups() == 0,
                        Duration.ofSeconds(15),
                        "no task on a side without quorum, after orphan-task-timeout");
            }
            if (majorityRemains) {
                List<CairnMember> majority = cluster.members().stream()
                        .filter(m -> !minority.contains(m))
                        .toList();
                TestCluster.await(
                        () -> majority.stream().anyMatch(m -> m.runsMasterOf(JOB)),
                        Duration.ofSeconds(30),
                        "the side with a quorum runs the job's master");
                long before = commits.output(RECORDS).records();
                TestCluster.await(
                        () -> commits.output(RECORDS).records() > before,
                        Duration.ofSeconds(30),
                        "the side with a quorum commits");
            } else {
                TestCluster.await(
                        () -> cluster.members().stream().noneMatch(m -> m.runsMasterOf(JOB)),
                        Duration.ofSeconds(10),
                        "no master anywhere");
                long frozen = commits.output(RECORDS).records();
                Thread.sleep(3_000);
                assertEquals(frozen, commits.output(RECORDS).records(), "nothing commits without a quorum");
            }
            for (CairnMember member : minority) {
                JobStatus seen = member.job(JOB);
                if (seen != null && member.isMaster()) {
                    assertEquals(JobState.SUSPENDED, seen.state(), "the side without a quorum says so: " + seen);
                    assertTrue(seen.message().contains("no quorum"), seen.message());
                }
            }

            cluster.heal();
            JobStatus done = cluster.awaitJob(JOB, r -> r.state().done(), Duration.ofSeconds(120));
            sampler.stop();
            assertEquals(JobState.FINISHED, done.state(), done.message());
            System.out.printf(
                    "partition: %d samples, %d with two masters (%d ms at most in a row), epoch now %d%n",
                    sampler.samples.get(), sampler.twoMasters.get(), sampler.longestOverlapMillis.get(), done.epoch());
        }
        assertEquals(List.of(), commits.violations(), "commits before storage");
        assertEquals(List.of(), EpochWatch.violations(), "what two masters did to each other's storage");
        TransactionBroker.Output output = commits.output(RECORDS);
        assertTrue(output.exactlyOnce(), output.toString());
    }

    /** Counts, every 10 ms, the members that run the job's master. */
    private static final class MasterSampler {
        private final TestCluster cluster;
        private final Thread thread;
        private volatile boolean running = true;
        final AtomicInteger samples = new AtomicInteger();
        final AtomicInteger twoMasters = new AtomicInteger();
        final AtomicLong longestOverlapMillis = new AtomicLong();

        MasterSampler(TestCluster cluster) {
            this.cluster = cluster;
            this.thread = new Thread(this::sample, "master-sampler");
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
        }

        private void sample() {
            long overlapSince = -1;
            while (running) {
                long masters = cluster.members().stream()
                        .filter(m -> m.runsMasterOf(JOB))
                        .count();
                samples.incrementAndGet();
                long now = System.currentTimeMillis();
                if (masters > 1) {
                    twoMasters.incrementAndGet();
                    overlapSince = overlapSince < 0 ? now : overlapSince;
                    longestOverlapMillis.accumulateAndGet(now - overlapSince, Math::max);
                } else {
                    overlapSince = -1;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
