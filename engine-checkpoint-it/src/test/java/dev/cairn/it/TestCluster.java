package dev.cairn.it;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.cairn.checkpoint.cluster.CairnMember;
import dev.cairn.checkpoint.cluster.JobRecord;
import dev.cairn.checkpoint.cluster.Messages;
import dev.cairn.checkpoint.config.ConfigLoader;
import dev.cairn.checkpoint.config.EngineConfig;
import dev.cairn.checkpoint.runtime.JobSpec;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * Real Cairn members in this JVM, joined over TCP/IP on loopback, each on a port of its own. A
 * member can be killed (as {@code kill -9} would: it drops out at once, its tasks stop dead) and
 * new ones added.
 */
final class TestCluster implements AutoCloseable {
    private static final int MAX_MEMBERS = 6;

    private final EngineConfig engine;
    private final String name = "cairn-it-" + UUID.randomUUID();
    private final List<Integer> ports;
    private final List<CairnMember> members = new ArrayList<>();
    private int nextPort;

    private TestCluster(EngineConfig engine) throws IOException {
        this.engine = engine;
        this.ports = freePorts(MAX_MEMBERS);
    }

    static TestCluster start(int size, EngineConfig engine) throws IOException {
        TestCluster cluster = new TestCluster(engine);
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
        StringBuilder yaml = new StringBuilder("seatunnel:\n  engine:\n    backup-count: " + backupCount + "\n"
                + "    print-execution-info-interval: 5\n    checkpoint:\n");
        for (String line : checkpoint.strip().split("\n")) {
            yaml.append("      ").append(line.strip()).append('\n');
        }
        yaml.append("      storage:\n        type: ").append(storageType).append("\n        plugin-config:\n");
        pluginConfig.forEach((k, v) -> yaml.append("          '")
                .append(k)
                .append("': '")
                .append(v.replace("'", "''"))
                .append("'\n"));
        return new ConfigLoader(System::getenv, TestCluster.class.getClassLoader()).parse(yaml.toString(), "it");
    }

    CairnMember addMember() {
        if (nextPort >= ports.size()) {
            throw new IllegalStateException("no more than " + MAX_MEMBERS + " members in one test cluster");
        }
        Config config = new Config();
        config.setClusterName(name);
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(ports.get(nextPort++)).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true);
        ports.forEach(p -> join.getTcpIpConfig().addMember("127.0.0.1:" + p));
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.socket.bind.any", "false");
        CairnMember member = CairnMember.start(engine, config, TestCluster.class.getClassLoader());
        members.add(member);
        return member;
    }

    List<CairnMember> members() {
        return List.copyOf(members);
    }

    /** The master, once the members agree on one (right after a kill they may not yet). */
    CairnMember master() {
        await(() -> members.stream().filter(CairnMember::isMaster).count() == 1, Duration.ofSeconds(30), "one master");
        return members.stream().filter(CairnMember::isMaster).findFirst().orElseThrow();
    }

    /** A member other than the master that runs some of the job's tasks. */
    CairnMember taskMemberOtherThanMaster() {
        return members.stream()
                .filter(m -> !m.isMaster() && m.runningTaskGroups() > 0)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no member but the master runs tasks"));
    }

    void kill(CairnMember member) {
        members.remove(member);
        member.kill();
    }

    /** Kills every member at once: a full cluster crash. */
    void killAll() {
        for (CairnMember member : List.copyOf(members)) {
            kill(member);
        }
    }

    void awaitSize(int size) {
        await(
                () -> members.stream()
                        .allMatch(m -> m.hazelcast().getCluster().getMembers().size() == size),
                Duration.ofSeconds(30),
                "cluster of " + size);
    }

    /** Waits until every partition has all its backups again (after a member left or joined). */
    void awaitSafe() {
        await(
                () -> members.stream()
                        .allMatch(m -> m.hazelcast().getPartitionService().isClusterSafe()),
                Duration.ofSeconds(60),
                "cluster safe");
    }

    Messages.Reply submit(JobSpec spec) {
        return members.get(0).submit(spec);
    }

    JobRecord job(String jobId) {
        return members.get(0).job(jobId);
    }

    /** Waits until the job's record satisfies {@code condition}; fails (with the record) otherwise. */
    JobRecord awaitJob(String jobId, Predicate<JobRecord> condition, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        JobRecord record = null;
        while (System.nanoTime() < deadline) {
            record = job(jobId);
            if (record != null && condition.test(record)) {
                return record;
            }
            if (record != null && record.state() == JobRecord.State.FAILED) {
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

    private static List<Integer> freePorts(int count) throws IOException {
        List<Integer> ports = new ArrayList<>();
        int port = 20_000 + ThreadLocalRandom.current().nextInt(20_000);
        while (ports.size() < count) {
            try (ServerSocket socket = new ServerSocket(port)) {
                ports.add(port);
            } catch (IOException taken) {
                // try the next one
            }
            port++;
        }
        return ports;
    }

    @Override
    public void close() {
        for (CairnMember member : List.copyOf(members)) {
            try {
                member.close();
            } catch (RuntimeException e) {
                member.kill();
            }
        }
        members.clear();
    }
}
