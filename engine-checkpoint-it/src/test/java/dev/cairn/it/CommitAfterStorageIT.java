package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.CheckpointStats;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.cluster.CairnMember;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once for a plain, strict two-phase-commit sink ({@link StrictTwoPhaseCommitJob}: it never
 * drops a replayed record), on real members, under every failure that can separate "completed in
 * the cluster" from "in storage": sinks commit only what is stored. No test waits for the storage
 * to catch up before it strikes: the store is slow on purpose, so the cluster is always ahead of it.
 * Every commit the broker sees is checked against the storage at that moment.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CommitAfterStorageIT {
    private static final long RECORDS = 60_000;

    @TempDir
    Path dir;

    private String broker;
    private Map<String, String> storageConfig;
    private CheckpointStorage storage;

    @BeforeEach
    void setUp(TestInfo test) throws Exception {
        Faults.reset();
        broker = test.getTestMethod().orElseThrow().getName();
        storageConfig = Map.of("namespace", dir.resolve("ckpt").toString());
        storage = CheckpointStorageFactories.find("localfile", getClass().getClassLoader())
                .create(storageConfig);
        TransactionBroker.named(broker).requireStoredBeforeCommit(TransactionBroker.storedIn(storage));
    }

    @AfterEach
    void tearDown() {
        Faults.reset();
        TransactionBroker.forget(broker);
        storage.close();
    }

    private EngineConfig config(String extra) throws Exception {
        return TestCluster.engine("interval: 150\ntimeout: 20000\n" + extra, "localfile", storageConfig, 1);
    }

    private JobSpec job(String id, long rate) {
        return StrictTwoPhaseCommitJob.spec(id, RECORDS, 4, rate, broker);
    }

    private void assertExactlyOnce() {
        TransactionBroker b = TransactionBroker.named(broker);
        assertEquals(List.of(), b.violations(), "commits of checkpoints that were not in storage");
        TransactionBroker.Output output = b.output(RECORDS);
        assertTrue(output.exactlyOnce(), output.toString());
    }

    /**
     * The store takes over a second a write, so completed checkpoints are always ahead of stored
     * ones; the whole cluster is killed at once, mid-job, whatever the backlog. A new cluster
     * resumes from storage and the output is exactly once.
     */
    @Test
    void fullRestart_whileCompletedCheckpointsAreNotYetStored_exactlyOnce() throws Exception {
        Faults.storageDelayMillis = 1_200;
        EngineConfig config = config("");
        JobSpec job = job("slow-store", 8_000);
        try (TestCluster first = TestCluster.start(3, config, FaultyStorage::new)) {
            first.submit(job);
            JobStatus atKill = first.awaitJob("slow-store", r -> r.recordsCommitted() > 8_000, Duration.ofSeconds(60));
            first.killAll();
            assertTrue(
                    atKill.lastCheckpointId() > atKill.lastCommittedId(),
                    "the kill came with completed checkpoints not yet stored: " + atKill.lastCheckpointId() + " vs "
                            + atKill.lastCommittedId());
        }
        Faults.storageDelayMillis = 200;
        try (TestCluster second = TestCluster.start(3, config, FaultyStorage::new)) {
            second.submit(job);
            JobStatus done = second.awaitJob("slow-store", r -> r.state().done(), Duration.ofSeconds(120));
            assertEquals(JobState.FINISHED, done.state(), done.message());
            assertTrue(done.restoredFrom().contains("(storage)"), done.restoredFrom());
        }
        assertExactlyOnce();
    }

    /** A member running tasks dies: the pipeline restores from memory, its restore point stored first. */
    @Test
    void memberLoss_exactlyOnce() throws Exception {
        Faults.storageDelayMillis = 400;
        try (TestCluster cluster = TestCluster.start(3, config(""), FaultyStorage::new)) {
            cluster.submit(job("member-loss", 10_000));
            cluster.awaitJob("member-loss", r -> r.recordsCommitted() > 5_000, Duration.ofSeconds(60));

            cluster.kill(cluster.taskMemberOtherThanMaster());

            JobStatus done = cluster.awaitJob("member-loss", r -> r.state().done(), Duration.ofSeconds(120));
            assertEquals(JobState.FINISHED, done.state(), done.message());
            assertTrue(done.restarts() >= 1, "the pipeline restarted: " + done.restarts());
        }
        assertExactlyOnce();
    }

    /** The master dies: a new master claims a new epoch and restores from a stored copy of its restore point. */
    @Test
    void masterLoss_exactlyOnce() throws Exception {
        Faults.storageDelayMillis = 400;
        try (TestCluster cluster = TestCluster.start(3, config(""), FaultyStorage::new)) {
            cluster.submit(job("master-loss", 10_000));
            JobStatus before =
                    cluster.awaitJob("master-loss", r -> r.recordsCommitted() > 5_000, Duration.ofSeconds(60));
            CairnMember master = cluster.master();

            cluster.kill(master);

            JobStatus done = cluster.awaitJob("master-loss", r -> r.state().done(), Duration.ofSeconds(120));
            assertEquals(JobState.FINISHED, done.state(), done.message());
            assertTrue(done.epoch() > before.epoch(), "a new epoch: " + before.epoch() + " -> " + done.epoch());
        }
        assertExactlyOnce();
    }

    /**
     * The store of one checkpoint hangs on while the job ends: the final checkpoint is stored and
     * committed in another of the flusher's slots first. The job finishes only once the older
     * write has ended, so it lands before the final retention, not after it: what the finished job
     * leaves in storage is max-retained checkpoints (3), not one more.
     */
    @Test
    void aStoreStillUnderWay_whenTheFinalCheckpointIsStored_theJobFinishesAfterIt_withMaxRetainedLeft()
            throws Exception {
        try (TestCluster cluster = TestCluster.start(3, config(""), FaultyStorage::new)) {
            cluster.submit(job("late-store", 20_000));
            cluster.awaitJob("late-store", r -> r.recordsCommitted() > RECORDS / 2, Duration.ofSeconds(60));
            Faults.Pause pause = Faults.pauseNextManifestStore(60_000);
            assertTrue(pause.awaitReached(10_000), "a checkpoint's store paused");

            JobStatus allIn = cluster.awaitJob(
                    "late-store",
                    r -> r.recordsCommitted() == RECORDS || r.state().done(),
                    Duration.ofSeconds(60));
            assertEquals(RECORDS, allIn.recordsCommitted(), "the final checkpoint is stored and committed");
            long until = System.currentTimeMillis() + 1_000;
            while (System.currentTimeMillis() < until) {
                JobStatus now = cluster.job("late-store");
                assertFalse(now.state().done(), "finished while a store is under way: " + now.state());
                Thread.sleep(50);
            }

            pause.release();
            JobStatus done = cluster.awaitJob("late-store", r -> r.state().done(), Duration.ofSeconds(60));
            assertEquals(JobState.FINISHED, done.state(), done.message());
            List<CheckpointId> left = storage.list(PipelineKey.of("late-store", "1"));
            assertEquals(3, left.size(), "max-retained checkpoints left: " + left);
            assertEquals(done.lastCheckpointId(), left.get(2).value(), "the final one among them");
        }
        assertExactlyOnce();
    }

    /**
     * The job's final checkpoint can never be stored: the storage hangs as the job ends, and the
     * map loses the final checkpoint's chunks meanwhile. Its sinks may not commit it, and no newer
     * checkpoint will come, so the pipeline restarts from the newest checkpoint stored, replays, and
     * ends in a new final checkpoint: the job finishes, exactly once, nothing committed before it
     * was stored. Before, the job waited for that commit forever.
     */
    @Test
    void aFinalCheckpointTheClusterLostBeforeItWasStored_restartsThePipeline_andTheJobFinishes() throws Exception {
        JobStatus done = loseTheFinalCheckpoint("final-lost", "");
        assertTrue(done.restarts() >= 1, "the pipeline restarted: " + done.restarts());
        assertTrue(done.lastCommittedId() > lostFinal, "a newer final checkpoint: " + done.lastCommittedId());
        assertEquals(null, done.warning(), "no fall-back warned of: a checkpoint never stored was never committed");
        assertExactlyOnce();
    }

    /**
     * The same with {@code commit-after: cluster}: the sinks committed the final checkpoint when it
     * completed, so the output is whole; the job finishes without a restart, and says what storage
     * lacks.
     */
    @Test
    void aFinalCheckpointTheClusterLostBeforeItWasStored_withCommitAfterCluster_finishesWithAWarning()
            throws Exception {
        TransactionBroker.named(broker).requireStoredBeforeCommit(null);
        JobStatus done = loseTheFinalCheckpoint("final-lost-cluster", "commit-after: cluster\n");
        assertEquals(0, done.restarts(), "no restart: nothing to replay");
        assertEquals(lostFinal, done.lastCommittedId());
        assertTrue(
                String.valueOf(done.warning()).contains("checkpoint " + lostFinal + " cannot be stored"),
                "the record says so: " + done.warning());
        assertExactlyOnce();
    }

    /**
     * The same where the restart policy allows no restart (as when a final checkpoint lost every
     * time has used up its restarts): the job fails, saying which final checkpoint cannot be
     * stored, rather than finishing or restarting. Its sinks never committed that checkpoint: what
     * they committed is whole and holds no record twice.
     */
    @Test
    void aFinalCheckpointTheClusterLostBeforeItWasStored_withNoRestartLeft_failsTheJobSayingWhy() throws Exception {
        JobStatus done = loseTheFinalCheckpoint("final-lost-no-restart", "", "restart:\n  max-attempts: 0");
        assertEquals(JobState.FAILED, done.state(), done.message());
        assertEquals(0, done.restarts(), "no restart was left to make");
        assertTrue(
                String.valueOf(done.message()).contains("final checkpoint " + lostFinal + " cannot be stored"),
                "the job says why it failed: " + done.message());
        assertTrue(done.lastCommittedId() < lostFinal, "the lost final checkpoint was never committed");
        TransactionBroker b = TransactionBroker.named(broker);
        assertEquals(List.of(), b.violations(), "commits of checkpoints that were not in storage");
        TransactionBroker.Output output = b.output(RECORDS);
        assertEquals(0, output.duplicated(), output.toString());
        assertEquals(0, output.outOfRange(), output.toString());
        assertTrue(
                output.missing() > 0, "the records after the last stored checkpoint were never committed: " + output);
    }

    /** The final checkpoint {@link #loseTheFinalCheckpoint} made unstorable. */
    private long lostFinal;

    /**
     * Runs a strict 2PC job on one member (backup-count 0, every state a part); as it ends, the
     * storage hangs and the map loses its final checkpoint's chunks; then the storage answers
     * again. Returns the job's record once it has ended, FINISHED.
     */
    private JobStatus loseTheFinalCheckpoint(String id, String checkpointYaml) throws Exception {
        JobStatus done = loseTheFinalCheckpoint(id, checkpointYaml, "");
        assertEquals(JobState.FINISHED, done.state(), done.message());
        return done;
    }

    /** The same, with more of {@code seatunnel.engine}; returns the job's record once it has ended. */
    private JobStatus loseTheFinalCheckpoint(String id, String checkpointYaml, String engineYaml) throws Exception {
        EngineConfig config = TestCluster.engine(
                "interval: 150\ntimeout: 20000\ninline-state-limit: 0\n" + checkpointYaml,
                "localfile",
                storageConfig,
                0,
                engineYaml,
                "call-timeout: 1000");
        try (TestCluster cluster = TestCluster.start(1, config, FaultyStorage::new)) {
            cluster.submit(job(id, 20_000));
            cluster.awaitJob(id, r -> r.recordsCommitted() > RECORDS / 2, Duration.ofSeconds(60));
            Faults.HANGING_JOBS.add(id);
            JobStatus ended = cluster.awaitJob(
                    id,
                    r -> r.history().stream().anyMatch(s -> s.finalCheckpoint() && s.completed()),
                    Duration.ofSeconds(60));
            lostFinal = ended.history().stream()
                    .filter(s -> s.finalCheckpoint() && s.completed())
                    .mapToLong(CheckpointStats::id)
                    .max()
                    .orElseThrow();
            assertTrue(cluster.loseChunks(id, lostFinal) > 0, "the final checkpoint's chunks were in the map");
            Faults.HANGING_JOBS.remove(id); // the storage answers again

            return cluster.awaitJob(id, r -> r.state().done(), Duration.ofSeconds(90));
        } finally {
            Faults.reset();
        }
    }

    /**
     * The storage goes down while the job runs: checkpoints go on completing, commits stop. Then
     * the whole cluster dies before the storage is back; a new cluster resumes from what was stored.
     */
    @Test
    void storageOutage_thenFullRestart_exactlyOnce() throws Exception {
        EngineConfig config = config("");
        JobSpec job = job("outage-restart", 8_000);
        try (TestCluster first = TestCluster.start(3, config, FaultyStorage::new)) {
            first.submit(job);
            first.awaitJob("outage-restart", r -> r.recordsCommitted() > 5_000, Duration.ofSeconds(60));
            Faults.storageDown = true;
            Thread.sleep(500); // a store under way when it went down may still finish
            JobStatus down = first.job("outage-restart");

            Thread.sleep(2_000);

            JobStatus later = first.job("outage-restart");
            assertTrue(
                    later.checkpointsCompleted() > down.checkpointsCompleted() + 3,
                    "checkpoints go on completing: " + down.checkpointsCompleted() + " -> "
                            + later.checkpointsCompleted());
            assertEquals(down.lastCommittedId(), later.lastCommittedId(), "nothing is committed while storage is down");
            assertTrue(later.storageError() != null, "the record says why");
            first.killAll();
        }
        Faults.storageDown = false;
        try (TestCluster second = TestCluster.start(3, config, FaultyStorage::new)) {
            second.submit(job);
            JobStatus done = second.awaitJob("outage-restart", r -> r.state().done(), Duration.ofSeconds(120));
            assertEquals(JobState.FINISHED, done.state(), done.message());
        }
        assertExactlyOnce();
    }

    /**
     * {@code commit-after: cluster} is the weaker, documented guarantee: sinks commit at completion,
     * before the storage has the checkpoint, so a full restart goes back to an older stored one and
     * the strict sink commits records again. At least once: nothing is lost, something repeats.
     * This test is here so that nobody mistakes that mode for the default.
     */
    @Test
    void commitAfterCluster_isAtLeastOnce_acrossAFullRestart() throws Exception {
        TransactionBroker.named(broker).requireStoredBeforeCommit(null);
        Faults.storageDelayMillis = 1_500;
        EngineConfig config = config("commit-after: cluster\n");
        JobSpec job = job("cluster-mode", 8_000);
        try (TestCluster first = TestCluster.start(3, config, FaultyStorage::new)) {
            first.submit(job);
            first.awaitJob("cluster-mode", r -> r.recordsCommitted() > 20_000, Duration.ofSeconds(60));
            first.killAll();
        }
        Faults.storageDelayMillis = 0;
        try (TestCluster second = TestCluster.start(3, config, FaultyStorage::new)) {
            second.submit(job);
            JobStatus done = second.awaitJob("cluster-mode", r -> r.state().done(), Duration.ofSeconds(120));
            assertEquals(JobState.FINISHED, done.state(), done.message());
        }
        TransactionBroker.Output output = TransactionBroker.named(broker).output(RECORDS);
        assertEquals(0, output.missing(), output.toString());
        assertTrue(
                output.duplicated() > 0,
                "records committed in memory but not yet stored are committed again after a full restart: " + output);
    }
}
