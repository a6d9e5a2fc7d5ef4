package dev.cairn.it;

import com.hazelcast.map.IMap;
import dev.cairn.checkpoint.api.CairnEngine;
import dev.cairn.checkpoint.api.JobHandle;
import dev.cairn.checkpoint.api.JobResult;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.RestoreRequest;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.cluster.CairnMember;
import dev.cairn.checkpoint.cluster.internal.node.Node;
import dev.cairn.checkpoint.cluster.internal.rpc.MessageHandler;
import dev.cairn.checkpoint.cluster.internal.store.SnapshotMaps;
import dev.cairn.checkpoint.config.ConfigLoader;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.testkit.CairnCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The integration tests' cluster: the test kit's {@link CairnCluster} (real members in this JVM
 * on real sockets, killed as {@code kill -9} would; or, for partitions, on Hazelcast's test network
 * with its firewall) with the
 * configuration built from YAML, as members read it, and the helpers the tests share. The tests
 * thereby run the kit on every build.
 */
final class TestCluster implements AutoCloseable {
    private final CairnCluster cluster;

    private TestCluster(CairnCluster cluster) {
        this.cluster = cluster;
    }

    static TestCluster start(int size, EngineConfig engine) {
        return start(size, engine, UnaryOperator.identity());
    }

    /**
     * A cluster whose members reach their storage through {@code storageDecorator}, on real sockets
     * on 127.0.0.1 (as members meet in production; no partitions: see {@link #startPartitionable}).
     */
    static TestCluster start(int size, EngineConfig engine, UnaryOperator<CheckpointStorage> storageDecorator) {
        CairnCluster cluster = CairnCluster.of(size, engine)
                .withStorageDecorator(storageDecorator)
                .overLoopback();
        cluster.start();
        return new TestCluster(cluster);
    }

    /** The same on Hazelcast's in-JVM test network, whose firewall makes network partitions. */
    static TestCluster startPartitionable(
            int size, EngineConfig engine, UnaryOperator<CheckpointStorage> storageDecorator) {
        CairnCluster cluster = CairnCluster.of(size, engine).withStorageDecorator(storageDecorator);
        cluster.start();
        return new TestCluster(cluster);
    }

    /** {@code host:port} of every member, for {@code --cluster}. */
    String addresses() {
        return String.join(",", cluster.addresses());
    }

    String clusterName() {
        return cluster.clusterName();
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
        if (!checkpoint.contains("inline-state-limit")) {
            // Every non-empty task state is put aside as a part by its member, unless a test says
            // otherwise: each IT runs the distributed state path (-Dcairn.it.inline-state-limit=1048576
            // runs them with the default instead).
            yaml.append("      inline-state-limit: ")
                    .append(System.getProperty("cairn.it.inline-state-limit", "0"))
                    .append('\n');
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
        return cluster.master();
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

    /**
     * Deletes every chunk of checkpoint {@code id} of pipeline 1 of {@code job} from the snapshot
     * map, as if every replica of them were lost, and the parts their writers hold to store them
     * ({@code HeldParts}), as if the writers were lost with them; returns how many chunks there were.
     */
    int loseChunks(String job, long id) {
        PipelineKey pipeline = PipelineKey.of(job, "1");
        for (CairnMember member : members()) {
            Node node = (Node) member.hazelcast().getUserContext().get(MessageHandler.USER_CONTEXT_KEY);
            node.maps().heldParts().forget(pipeline);
        }
        IMap<String, byte[]> map = members().get(0).hazelcast().getMap(SnapshotMaps.SNAPSHOTS);
        String chunks = SnapshotMaps.key(pipeline, id) + "/";
        int lost = 0;
        for (String key : map.keySet()) {
            if (key.startsWith(chunks)) {
                map.delete(key);
                lost++;
            }
        }
        return lost;
    }

    /** Kills every member at once: a full cluster crash. The storage survives. */
    void killAll() {
        cluster.killAll();
    }

    /** Cuts the members of {@code side} off from the others, both ways; both sides live on. */
    void partition(List<CairnMember> side) {
        cluster.partition(side);
    }

    /** Cuts every member off from every other one: as many sides as members. */
    void isolateEveryMember() {
        cluster.isolateEveryMember();
    }

    /** Lets every blocked pair talk again, and waits until the sides have merged. */
    void heal() {
        cluster.heal();
    }

    void awaitSize(int size) {
        await(
                () -> members().stream()
                        .allMatch(m -> m.hazelcast().getCluster().getMembers().size() == size),
                Duration.ofSeconds(60),
                "every member sees " + size);
    }

    /** Waits until every partition has all its backups again (after a member left or joined). */
    void awaitSafe() {
        await(
                () -> members().stream()
                        .allMatch(m -> m.hazelcast().getPartitionService().isClusterSafe()),
                Duration.ofSeconds(60),
                "cluster safe");
    }

    /** A client's engine over the cluster (a new one after {@link #killAll}). */
    CairnEngine engine() {
        return cluster.engine();
    }

    /** Submits through a client, as a user would; a refusal throws, with its reason. */
    JobHandle submit(JobSpec spec) {
        return engine().submit(spec);
    }

    JobHandle submit(JobSpec spec, RestoreRequest restore) {
        return engine().submit(spec, restore);
    }

    /** The job's handle; the job must be known to the cluster. */
    JobHandle handle(String jobId) {
        return engine().job(JobId.of(jobId)).orElseThrow(() -> new AssertionError("no job " + jobId));
    }

    /** Cancels the job and waits until it has ended. */
    JobResult cancel(String jobId) {
        try {
            return handle(jobId).cancel().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("job " + jobId + " was not cancelled: " + e, e);
        }
    }

    /** The member that runs the job's master now, or null. */
    CairnMember masterOf(String jobId) {
        return members().stream().filter(m -> m.runsMasterOf(jobId)).findFirst().orElse(null);
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

    /** The job's record as the first member's side of the cluster has it, or null. */
    JobStatus job(String jobId) {
        return job(members().get(0), jobId);
    }

    /** The job's record as {@code member}'s side of the cluster has it, or null. */
    JobStatus job(CairnMember member, String jobId) {
        return member.job(jobId);
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
        CairnCluster.await(within, what, condition::getAsBoolean);
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
