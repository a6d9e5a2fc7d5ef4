package dev.cairn.it;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.test.SplitBrainTestSupport;
import com.hazelcast.test.TestHazelcastInstanceFactory;
import dev.cairn.checkpoint.cluster.CairnMember;
import dev.cairn.checkpoint.cluster.JobRecord;
import dev.cairn.checkpoint.config.EngineConfig;
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

    /** The member that runs the job's master now, or null. */
    CairnMember masterOf(String jobId) {
        return members().stream().filter(m -> m.runsMasterOf(jobId)).findFirst().orElse(null);
    }

    /** The job's record as {@code member}'s side of the cluster has it. */
    JobRecord job(CairnMember member, String jobId) {
        return member.job(jobId);
    }

    /** Waits until the job's record, as the first member sees it, satisfies {@code condition}. */
    JobRecord awaitJob(String jobId, Predicate<JobRecord> condition, Duration within) {
        JobRecord[] last = new JobRecord[1];
        TestCluster.await(
                () -> {
                    last[0] = members().get(0).job(jobId);
                    return last[0] != null && condition.test(last[0]);
                },
                within,
                "job " + jobId + " condition");
        return last[0];
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
