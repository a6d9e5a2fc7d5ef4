package dev.cairn.it;

import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.RestoreRequest;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.cluster.CairnMember;
import dev.cairn.checkpoint.cluster.InProcessCluster;
import dev.cairn.checkpoint.cluster.Messages;
import dev.cairn.checkpoint.config.ConfigLoader;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Real Cairn members in this JVM, joined over TCP/IP on loopback, each on a port of its own. A
 * member can be killed (as {@code kill -9} would: it drops out at once, its tasks stop dead) and
 * new ones added.
 */
final class TestCluster implements AutoCloseable {
    private final InProcessCluster cluster;

    private TestCluster(EngineConfig engine, UnaryOperator<CheckpointStorage> storageDecorator) throws IOException {
        this.cluster = new InProcessCluster(engine, TestCluster.class.getClassLoader(), storageDecorator);
    }

    static TestCluster start(int size, EngineConfig engine) throws IOException {
        return start(size, engine, UnaryOperator.identity());
    }

    /** A cluster whose members reach their storage through {@code storageDecorator}. */
    static TestCluster start(int size, EngineConfig engine, UnaryOperator<CheckpointStorage> storageDecorator)
            throws IOException {
        TestCluster cluster = new TestCluster(engine, storageDecorator);
        for (int i = 0; i < size; i++) {
            cluster.addMember();
        }
        cluster.awaitSize(size);
        cluster.awaitSafe(); // partitions spread over every member, backups in place
        return cluster;
    }

    /** An engine configuration; {@code pluginConfig} values are quoted into the YAML. */
    static EngineConfig engine(String checkpoint, String storageType, Map<String, String> pluginConfig, int backupCount)
            throws Exception {
        return engine(checkpoint, storageType, pluginConfig, backupCount, "");
    }

    /** The same, with more of {@code seatunnel.engine} (YAML at the engine's level, e.g. {@code http:}). */
    static EngineConfig engine(
            String checkpoint, String storageType, Map<String, String> pluginConfig, int backupCount, String engineYaml)
            throws Exception {
        return engine(checkpoint, storageType, pluginConfig, backupCount, engineYaml, "");
    }

    /** The same, with more of {@code checkpoint.storage} (YAML at the storage's level, e.g. {@code call-timeout: 1000}). */
    static EngineConfig engine(
            String checkpoint,
            String storageType,
            Map<String, String> pluginConfig,
            int backupCount,
            String engineYaml,
            String storageYaml)
            throws Exception {
        StringBuilder yaml = new StringBuilder("seatunnel:\n  engine:\n    backup-count: " + backupCount + "\n"
                + "    print-execution-info-interval: 5\n");
        for (String line : engineYaml.split("\n")) {
            if (!line.isBlank()) {
                yaml.append("    ").append(line).append('\n');
            }
        }
        yaml.append("    checkpoint:\n");
        for (String line : checkpoint.strip().split("\n")) {
            yaml.append("      ").append(line.strip()).append('\n');
        }
        yaml.append("      storage:\n        type: ").append(storageType).append('\n');
        for (String line : storageYaml.split("\n")) {
            if (!line.isBlank()) {
                yaml.append("        ").append(line.strip()).append('\n');
            }
        }
        yaml.append("        plugin-config:\n");
        pluginConfig.forEach((k, v) -> yaml.append("          '")
                .append(k)
                .append("': '")
                .append(v.replace("'", "''"))
                .append("'\n"));
        return new ConfigLoader(System::getenv, TestCluster.class.getClassLoader()).parse(yaml.toString(), "it");
    }

    CairnMember addMember() {
        return cluster.addMember();
    }

    List<CairnMember> members() {
        return cluster.members();
    }

    /** The master, once the members agree on one (right after a kill they may not yet). */
    CairnMember master() {
        await(
                () -> members().stream().filter(CairnMember::isMaster).count() == 1,
                Duration.ofSeconds(30),
                "one master");
        return members().stream().filter(CairnMember::isMaster).findFirst().orElseThrow();
    }

    /** A member other than the master that runs some of the job's tasks. */
    CairnMember taskMemberOtherThanMaster() {
        return members().stream()
                .filter(m -> !m.isMaster() && m.runningTaskGroups() > 0)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no member but the master runs tasks"));
    }

    void kill(CairnMember member) {
        cluster.kill(member);
    }

    /** Kills every member at once: a full cluster crash. */
    void killAll() {
        for (CairnMember member : members()) {
            kill(member);
        }
    }

    void awaitSize(int size) {
        await(
                () -> members().stream()
                        .allMatch(m -> m.hazelcast().getCluster().getMembers().size() == size),
                Duration.ofSeconds(30),
                "cluster of " + size);
    }

    /** Waits until every partition has all its backups again (after a member left or joined). */
    void awaitSafe() {
        await(
                () -> members().stream()
                        .allMatch(m -> m.hazelcast().getPartitionService().isClusterSafe()),
                Duration.ofSeconds(60),
                "cluster safe");
    }

    Messages.Reply submit(JobSpec spec) {
        return members().get(0).submit(spec);
    }

    Messages.Reply submit(JobSpec spec, RestoreRequest restore) {
        return members().get(0).submit(spec, restore);
    }

    /** Waits until the job's record is in {@code state} (FAILED included, unlike {@link #awaitJob}). */
    JobStatus awaitJobState(String jobId, JobState state, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        JobStatus record = null;
        while (System.nanoTime() < deadline) {
            record = job(jobId);
            if (record != null && record.state() == state) {
                return record;
            }
            sleep(25);
        }
        throw new AssertionError("job " + jobId + " not " + state + " within " + within + ": " + record);
    }

    JobStatus job(String jobId) {
        return members().get(0).job(jobId);
    }

    /** Waits until the job's record satisfies {@code condition}; fails (with the record) otherwise. */
    JobStatus awaitJob(String jobId, Predicate<JobStatus> condition, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        JobStatus record = null;
        while (System.nanoTime() < deadline) {
            record = job(jobId);
            if (record != null && condition.test(record)) {
                return record;
            }
            if (record != null && record.state() == JobState.FAILED) {
                throw new AssertionError("job failed: " + record.message());
            }
            sleep(25);
        }
        throw new AssertionError("job " + jobId + " did not get there within " + within + ": " + record);
    }

    static void await(java.util.function.BooleanSupplier condition, Duration within, String what) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within + ": " + what);
            }
            sleep(25);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        cluster.close();
    }
}
