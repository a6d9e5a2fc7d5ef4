package dev.cairn.it;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.test.SplitBrainTestSupport;
import com.hazelcast.test.TestHazelcastInstanceFactory;
import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.cluster.CairnMember;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Real Cairn members on Hazelcast's in-JVM test network ({@link TestHazelcastInstanceFactory}),
 * where a network partition can be made, with the test firewall, and healed: all traffic between
 * two groups of members is dropped both ways and their connections closed, so each side sees the
 * other leave at once; after the heal, Hazelcast merges the smaller side into the larger.
 */
final class PartitionableCluster implements AutoCloseable {
    private final TestHazelcastInstanceFactory factory = new TestHazelcastInstanceFactory();
    private final EngineConfig engine;
    private final UnaryOperator<CheckpointStorage> storageDecorator;
    private final String name = "cairn-partition-" + UUID.randomUUID();
    private final List<CairnMember> members = new ArrayList<>();
    private final List<CairnMember[]> blocked = new ArrayList<>();

    PartitionableCluster(EngineConfig engine, UnaryOperator<CheckpointStorage> storageDecorator) {
        this.engine = engine;
        this.storageDecorator = storageDecorator;
    }

    static PartitionableCluster start(int size, EngineConfig engine, UnaryOperator<CheckpointStorage> decorator) {
        PartitionableCluster cluster = new PartitionableCluster(engine, decorator);
        for (int i = 0; i < size; i++) {
            cluster.addMember();
        }
        cluster.awaitSize(size);
        TestCluster.await(
                () -> cluster.members().stream()
                        .allMatch(m -> m.hazelcast().getPartitionService().isClusterSafe()),
                Duration.ofSeconds(60),
                "cluster safe");
        return cluster;
    }

    synchronized CairnMember addMember() {
        Config config = new Config();
        config.setClusterName(name);
        // A member a heartbeat cannot reach is gone after a few seconds; the two sides of a healed
        // partition look for each other every few seconds and merge.
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "4");
        config.setProperty("hazelcast.merge.first.run.delay.seconds", "3");
        config.setProperty("hazelcast.merge.next.run.delay.seconds", "2");
        CairnMember member = CairnMember.start(
                engine,
                config,
                PartitionableCluster.class.getClassLoader(),
                storageDecorator,
                factory::newHazelcastInstance);
        members.add(member);
        return member;
    }

    synchronized List<CairnMember> members() {
        return List.copyOf(members);
    }

    /** Cuts every member of {@code side} off from every other member, both ways. */
    synchronized void partition(List<CairnMember> side) {
        for (CairnMember inside : side) {
            for (CairnMember outside : members) {
                if (!side.contains(outside)) {
                    block(inside, outside);
                }
            }
        }
    }

    /** Cuts every member off from every other one: as many sides as members. */
    synchronized void isolateEveryMember() {
        for (int i = 0; i < members.size(); i++) {
            for (int j = i + 1; j < members.size(); j++) {
                block(members.get(i), members.get(j));
            }
        }
    }

    private void block(CairnMember a, CairnMember b) {
        HazelcastInstance ha = a.hazelcast();
        HazelcastInstance hb = b.hazelcast();
        SplitBrainTestSupport.blockCommunicationBetween(ha, hb);
        SplitBrainTestSupport.closeConnectionBetween(ha, hb);
        blocked.add(new CairnMember[] {a, b});
    }

    /** Lets every blocked pair talk again, and waits until every member sees all of them. */
    void heal() {
        List<CairnMember[]> pairs;
        synchronized (this) {
            pairs = List.copyOf(blocked);
            blocked.clear();
        }
        for (CairnMember[] pair : pairs) {
            SplitBrainTestSupport.unblockCommunicationBetween(pair[0].hazelcast(), pair[1].hazelcast());
        }
        awaitSize(members().size());
    }

    void awaitSize(int size) {
        TestCluster.await(
                () -> members().stream()
                        .allMatch(m -> m.hazelcast().getCluster().getMembers().size() == size),
                Duration.ofSeconds(60),
                "every member sees " + size);
    }

    /** The oldest member (the Hazelcast master), once the members agree on one. */
    CairnMember master() {
        TestCluster.await(
                () -> members().stream().filter(CairnMember::isMaster).count() == 1,
                Duration.ofSeconds(30),
                "one master");
        return members().stream().filter(CairnMember::isMaster).findFirst().orElseThrow();
    }

    /** Kills a member as {@code kill -9} would. */
    synchronized void kill(CairnMember member) {
        members.remove(member);
        member.kill();
    }

    /** Kills every member at once: a full cluster crash. The storage survives. */
    synchronized void killAll() {
        for (CairnMember member : List.copyOf(members)) {
            kill(member);
        }
    }

    /** Waits until every partition has all its backups again (after a member left or joined). */
    void awaitSafe() {
        TestCluster.await(
                () -> members().stream()
                        .allMatch(m -> m.hazelcast().getPartitionService().isClusterSafe()),
                Duration.ofSeconds(60),
                "cluster safe");
    }

    dev.cairn.checkpoint.cluster.Messages.Reply submit(dev.cairn.checkpoint.api.JobSpec spec) {
        return members().get(0).submit(spec);
    }

    /** The job's record as the first member's side has it. */
    JobStatus job(String jobId) {
        return members().get(0).job(jobId);
    }

    /** The member that runs the job's master now, or null. */
    CairnMember masterOf(String jobId) {
        return members().stream().filter(m -> m.runsMasterOf(jobId)).findFirst().orElse(null);
    }

    /** The job's record as {@code member}'s side of the cluster has it. */
    JobStatus job(CairnMember member, String jobId) {
        return member.job(jobId);
    }

    /**
     * Waits until the job's record, as the first member sees it, satisfies {@code condition}; fails
     * at once if the job failed.
     */
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
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("job " + jobId + " did not get there within " + within + ": " + record);
    }

    @Override
    public void close() {
        for (CairnMember member : members()) {
            try {
                member.kill();
            } catch (RuntimeException e) {
                // shutting down anyway
            }
        }
        factory.terminateAll();
    }
}
