package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.cluster.CairnMember;
import dev.cairn.checkpoint.cluster.internal.store.SnapshotMaps;
import dev.cairn.checkpoint.demo.DemoJob;
import dev.cairn.checkpoint.demo.DemoOutput;
import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.store.StateParts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two jobs side by side on a 3-member cluster, the demo (its file sink) and {@link
 * StrictTwoPhaseCommitJob} (a transactional sink that drops no replay), under a seeded random
 * schedule of faults, injected at random moments, in the middle of a checkpoint and in the middle
 * of a store: member and master hard kills, the whole cluster killed at once and started again (the
 * jobs resubmitted), network partitions (the master, or another member, cut off alone, then
 * healed), members joining, storage outages, slow storage, a task that throws, a task that stalls
 * past the timeout. The members run on Hazelcast's test network, where partitions can be made.
 * After each schedule: both outputs hold every record exactly once, no transaction was committed
 * before its checkpoint was in storage, no two masters harmed each other's checkpoints ({@link
 * EpochWatch}), every stored checkpoint verifies, retention holds, and the finished jobs leave no
 * snapshot map entry, no pipeline record, no temporary file and no staging file behind.
 *
 * <p>Each schedule prints its seed; {@code -Dcairn.faults.seed=N} replays exactly that schedule,
 * {@code -Dcairn.faults.schedules=N} runs N schedules (CI runs a few).
 */
class FaultScheduleIT {
    private static final int SCHEDULES = Integer.getInteger("cairn.faults.schedules", 3);
    private static final Long SEED = Long.getLong("cairn.faults.seed");
    private static final long TIMEOUT_MILLIS = 2_000;
    private static final int MAX_RETAINED = 3;

    enum Fault {
        MEMBER_KILL,
        MASTER_KILL,
        FULL_RESTART,
        PARTITION,
        MEMBER_JOIN,
        STORAGE_OUTAGE,
        SLOW_STORAGE,
        TASK_THROWS,
        TASK_STALL
    }

    enum When {
        ANY_TIME,
        MID_CHECKPOINT,
        MID_FLUSH
    }

    record Step(long afterMillis, Fault fault, When when, long durationMillis) {}

    @TempDir
    Path dir;

    @AfterEach
    void clearFaults() {
        Faults.reset();
    }

    static List<Step> schedule(long seed) {
        Random random = new Random(seed);
        int count = 4 + random.nextInt(4);
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Fault fault = Fault.values()[random.nextInt(Fault.values().length)];
            When when =
                    switch (fault) {
                        case MEMBER_KILL -> random.nextBoolean() ? When.MID_CHECKPOINT : When.ANY_TIME;
                        case MASTER_KILL -> When.values()[random.nextInt(3)];
                        default -> When.ANY_TIME;
                    };
            steps.add(new Step(300 + random.nextInt(1_500), fault, when, 1_000 + random.nextInt(4_000)));
        }
        return steps;
    }

    @Test
    void seededFaultSchedules_loseNothing_duplicateNothing_leaveNothing() throws Exception {
        long first = SEED != null ? SEED : new Random().nextLong();
        int runs = SEED != null ? 1 : SCHEDULES;
        long faults = 0;
        long records = 0;
        long lost = 0;
        long duplicated = 0;
        Map<String, Integer> injected = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            long seed = first + run;
            List<Step> steps = schedule(seed);
            System.out.println("fault schedule seed=" + seed + " (replay: -Dcairn.faults.seed=" + seed + "): " + steps);
            lastCheck = null;
            lastStrict = null;
            lastInjected = new ArrayList<>();
            try {
                Result result = run(seed, steps);
                System.out.println("fault schedule seed=" + seed + " passed: " + result);
            } catch (Exception | AssertionError e) {
                // A long run goes on after a failure, so that its figures count every schedule.
                System.out.println("fault schedule seed=" + seed + " FAILED: " + e);
                e.printStackTrace(System.out);
                failures.add("seed " + seed + ": " + e);
            } finally {
                Faults.reset();
            }
            faults += lastInjected.size();
            lastInjected.forEach(label -> injected.merge(label, 1, Integer::sum));
            if (lastCheck != null) {
                records += lastCheck.records;
                lost += lastCheck.missing;
                duplicated += lastCheck.duplicated;
            }
            if (lastStrict != null) {
                records += lastStrict.records();
                lost += lastStrict.missing();
                duplicated += lastStrict.duplicated();
            }
        }
        System.out.printf(
                "fault schedules: %d run, %d failed, %d faults injected, %d records checked, %d lost, %d duplicated%n",
                runs, failures.size(), faults, records, lost, duplicated);
        System.out.println("faults injected, by kind and moment: " + injected);
        assertEquals(List.of(), failures, "failed fault schedules (each names its seed)");
    }

    /** What the schedule running now injected, and what its output check found (null: none yet). */
    private List<String> lastInjected = new ArrayList<>();

    private DemoOutput lastCheck;

    private TransactionBroker.Output lastStrict;

    /** @param injected one label per fault injected, e.g. {@code MASTER_KILL MID_FLUSH} */
    record Result(long records, int restarts, long checkpoints, long failed, List<String> injected) {}

    private Result run(long seed, List<Step> steps) throws Exception {
        Faults.reset();
        EpochWatch.reset();
        String jobId = "faults-" + Long.toHexString(seed & 0xffffffffL);
        String strictId = jobId + "-strict";
        String broker = "faults-" + seed;
        long records = 60_000;
        Path output = dir.resolve(jobId);
        Map<String, String> storageConfig =
                Map.of("namespace", dir.resolve("ckpt-" + jobId).toString());
        var config = TestCluster.engine(
                "interval: 150\ntimeout: " + TIMEOUT_MILLIS + "\ntolerable-failures: 2\n",
                "localfile",
                storageConfig,
                1);
        JobSpec spec = new JobSpec(
                JobId.of(jobId),
                FaultyDemoJob.TYPE,
                Map.of(
                        DemoJob.RECORDS,
                        Long.toString(records),
                        DemoJob.PARALLELISM,
                        "4",
                        DemoJob.RATE,
                        "5000",
                        DemoJob.OUTPUT,
                        output.toString()));
        JobSpec strict = StrictTwoPhaseCommitJob.spec(strictId, records, 3, 5_000, broker);
        Random random = new Random(seed ^ 0x5DEECE66DL);
        List<String> injected = lastInjected;
        try (CheckpointStorage storage = CheckpointStorageFactories.find(
                                "localfile", getClass().getClassLoader())
                        .create(storageConfig);
                TestCluster cluster =
                        TestCluster.startPartitionable(3, config, s -> new EpochWatch(new FaultyStorage(s)))) {
            TransactionBroker.named(broker).requireStoredBeforeCommit(TransactionBroker.storedIn(storage));
            cluster.submit(spec);
            cluster.submit(strict);
            cluster.awaitJob(jobId, r -> r.checkpointsCompleted() >= 2, Duration.ofSeconds(30));
            for (Step step : steps) {
                Thread.sleep(step.afterMillis());
                if (done(cluster, jobId) && done(cluster, strictId)) {
                    break; // the jobs got there first: the remaining faults have nothing to hit
                }
                injected.add(inject(cluster, step, random, List.of(spec, strict)));
            }
            Faults.reset();
            JobStatus done = cluster.awaitJob(jobId, r -> r.state().done(), Duration.ofSeconds(180));
            assertEquals(JobState.FINISHED, done.state(), "seed " + seed + ": " + done.message());
            JobStatus strictDone = cluster.awaitJob(strictId, r -> r.state().done(), Duration.ofSeconds(180));
            assertEquals(JobState.FINISHED, strictDone.state(), "seed " + seed + ": " + strictDone.message());

            DemoOutput check = DemoOutput.check(output, records);
            lastCheck = check;
            assertTrue(check.exactlyOnce(), "seed " + seed + ": demo: " + check);
            TransactionBroker.Output strictCheck =
                    TransactionBroker.named(broker).output(records);
            lastStrict = strictCheck;
            assertEquals(
                    List.of(),
                    TransactionBroker.named(broker).violations(),
                    "seed " + seed + ": commits before storage");
            assertTrue(strictCheck.exactlyOnce(), "seed " + seed + ": strict 2PC sink: " + strictCheck);
            assertEquals(List.of(), EpochWatch.violations(), "seed " + seed + ": two masters' storage writes");
            assertNothingLeft(cluster, jobId, output, seed);
            assertNothingLeft(cluster, strictId, null, seed);
            assertStorage(storageConfig, jobId, seed);
            assertStorage(storageConfig, strictId, seed);
            return new Result(
                    check.records + strictCheck.records(),
                    done.restarts() + strictDone.restarts(),
                    done.checkpointsCompleted() + strictDone.checkpointsCompleted(),
                    done.checkpointsFailed() + strictDone.checkpointsFailed(),
                    injected);
        } finally {
            TransactionBroker.forget(broker);
        }
    }

    private static boolean done(TestCluster cluster, String job) {
        JobStatus record = cluster.job(job);
        return record != null && record.state().done();
    }

    /** Injects one fault; returns what was injected, and when ({@code no MID_FLUSH came}: any time). */
    private static String inject(TestCluster cluster, Step step, Random random, List<JobSpec> jobs) throws Exception {
        String label = step.fault().name();
        switch (step.fault()) {
            case PARTITION -> {
                CairnMember master = cluster.master();
                List<CairnMember> others =
                        cluster.members().stream().filter(m -> m != master).toList();
                boolean masterAlone = others.isEmpty() || random.nextBoolean();
                CairnMember alone = masterAlone ? master : others.get(random.nextInt(others.size()));
                label += masterAlone ? " (the master alone)" : " (a member alone)";
                cluster.partition(List.of(alone));
                // Longer than the kit's heartbeat timeout (8 s): both sides see the other gone.
                Thread.sleep(8_000 + step.durationMillis());
                cluster.heal();
                cluster.awaitSafe();
                System.out.println("  " + label);
            }
            case FULL_RESTART -> {
                // Everything dies at once, whatever is in flight; new members start; the jobs are
                // submitted again with their ids, as an operator would.
                int size = cluster.members().size();
                cluster.killAll();
                for (int i = 0; i < size; i++) {
                    cluster.addMember();
                }
                cluster.awaitSize(size);
                cluster.awaitSafe();
                for (JobSpec job : jobs) {
                    cluster.submit(job);
                }
                System.out.println("  " + label);
            }
            case MEMBER_KILL, MASTER_KILL -> {
                CairnMember master = cluster.master();
                List<CairnMember> others =
                        cluster.members().stream().filter(m -> m != master).toList();
                CairnMember victim = step.fault() == Fault.MASTER_KILL || others.isEmpty()
                        ? master
                        : others.get(random.nextInt(others.size()));
                Faults.Pause pause =
                        switch (step.when()) {
                            case MID_CHECKPOINT -> Faults.pauseNextSnapshot();
                            case MID_FLUSH -> Faults.pauseNextStore();
                            case ANY_TIME -> null;
                        };
                boolean caught = pause == null || pause.awaitReached(3_000);
                cluster.kill(victim);
                if (pause != null) {
                    pause.release();
                }
                label += step.when() == When.ANY_TIME
                        ? ""
                        : caught ? " " + step.when() : " (no " + step.when() + " came)";
                System.out.println("  " + label);
                cluster.addMember();
                cluster.awaitSize(cluster.members().size());
                cluster.awaitSafe(); // backup-count 1: one failure at a time
            }
            case MEMBER_JOIN -> {
                if (cluster.members().size() < 5) {
                    cluster.addMember();
                    cluster.awaitSafe();
                } else {
                    label += " (none: 5 members already)";
                }
            }
            case STORAGE_OUTAGE -> {
                Faults.storageDown = true;
                Thread.sleep(step.durationMillis());
                Faults.storageDown = false;
            }
            case SLOW_STORAGE -> {
                Faults.storageDelayMillis = 300 + random.nextInt(700);
                Thread.sleep(step.durationMillis());
                Faults.storageDelayMillis = 0;
            }
            case TASK_THROWS -> Faults.throwOnce();
            case TASK_STALL -> Faults.stallOnce(TIMEOUT_MILLIS + 500);
        }
        return label;
    }

    /** A finished job owes the cluster's memory and the output's staging area nothing. */
    private static void assertNothingLeft(TestCluster cluster, String jobId, Path output, long seed) throws Exception {
        CairnMember any = cluster.members().get(0);
        try {
            TestCluster.await(
                    () -> leftInMaps(any, jobId).isEmpty(),
                    Duration.ofSeconds(10),
                    "seed " + seed + ": no snapshot or pipeline entry of the finished job left in the maps");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + leftInMaps(any, jobId), e);
        }
        assertTrue(
                output == null || !Files.exists(output.resolve(".cairn-staging").resolve(jobId)),
                "seed " + seed + ": staging left");
    }

    private static List<String> leftInMaps(CairnMember member, String jobId) {
        List<String> left = new ArrayList<>();
        for (String map : List.of(SnapshotMaps.SNAPSHOTS, SnapshotMaps.PIPELINES)) {
            member.hazelcast().<String, byte[]>getMap(map).keySet().stream()
                    .filter(k -> k.startsWith(jobId + "/"))
                    .forEach(k -> left.add(map + ": " + k));
        }
        return left;
    }

    /**
     * Every stored checkpoint verifies; retention holds; the id lease covers every stored id; no
     * temporary file is left.
     */
    private void assertStorage(Map<String, String> storageConfig, String jobId, long seed) throws Exception {
        try (CheckpointStorage storage = CheckpointStorageFactories.find(
                        "localfile", getClass().getClassLoader())
                .create(storageConfig)) {
            long lease = -1;
            long highest = -1;
            java.util.Map<PipelineKey, List<CheckpointId>> parts = new java.util.HashMap<>();
            for (PipelineKey pipeline : storage.pipelines(JobId.of(jobId))) {
                List<CheckpointId> ids = storage.list(pipeline);
                if (FileLayout.holdsIds(pipeline)) {
                    lease = ids.isEmpty() ? -1 : ids.get(ids.size() - 1).value();
                    continue;
                }
                if (FileLayout.holdsParts(pipeline)) {
                    parts.put(pipeline, ids);
                    continue;
                }
                assertTrue(ids.size() <= MAX_RETAINED, "seed " + seed + ": retention: " + ids);
                for (CheckpointId id : ids) {
                    // Throws if it, or a part it names, does not verify.
                    StateParts.resolve(
                            SnapshotCodec.decode(storage.load(pipeline, id).orElseThrow()), null, storage, pipeline);
                    highest = Math.max(highest, id.value());
                }
            }
            assertTrue(highest <= lease, "seed " + seed + ": checkpoint " + highest + " above the id lease " + lease);
            // Retention takes the parts of retired checkpoints along (a manifest stored after its
            // parts: the parts of one whose store failed may stay above the oldest kept, not below).
            for (var entry : parts.entrySet()) {
                String owner = entry.getKey().pipeline();
                List<CheckpointId> manifests = storage.list(new PipelineKey(
                        entry.getKey().jobId(), owner.substring(0, owner.length() - FileLayout.PARTS_SUFFIX.length())));
                if (manifests.isEmpty()
                        || FileLayout.holdsSavepoints(new PipelineKey(
                                entry.getKey().jobId(),
                                owner.substring(0, owner.length() - FileLayout.PARTS_SUFFIX.length())))) {
                    continue;
                }
                for (CheckpointId part : entry.getValue()) {
                    assertTrue(
                            FileLayout.checkpointOfPart(part).value()
                                    >= manifests.get(0).value(),
                            "seed " + seed + ": part " + part + " of checkpoint " + FileLayout.checkpointOfPart(part)
                                    + " outlived retention; kept " + manifests);
                }
            }
        }
        try (Stream<Path> files = Files.walk(Path.of(storageConfig.get("namespace")))) {
            List<Path> temporary = files.filter(p -> p.getFileName().toString().endsWith(".tmp"))
                    .toList();
            assertEquals(List.of(), temporary, "seed " + seed + ": temporary files left");
        }
    }
}
