package dev.cairn.checkpoint.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.YamlConfigBuilder;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.cairn.checkpoint.api.CairnEngine;
import dev.cairn.checkpoint.api.CheckpointStats;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.cluster.internal.node.ClusterQuorum;
import dev.cairn.checkpoint.cluster.internal.node.Connections;
import dev.cairn.checkpoint.cluster.internal.rpc.CairnCall;
import dev.cairn.checkpoint.cluster.internal.rpc.JobRecords;
import dev.cairn.checkpoint.cluster.internal.rpc.MessageHandler;
import dev.cairn.checkpoint.cluster.internal.rpc.MessageKryo;
import dev.cairn.checkpoint.cluster.internal.store.SnapshotMaps;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A Cairn cluster member: a Hazelcast member running a {@link CairnNode}. Cairn adds its own parts
 * to the user's Hazelcast configuration: its maps with {@code backup-count} synchronous backups,
 * its executor, its serialization factory and a Java serialization filter.
 */
public final class CairnMember implements AutoCloseable {
    /**
     * The member attribute that says which Cairn protocol (message ids) a member speaks: members and
     * clients of one protocol work together, others are refused with a clear word.
     */
    public static final String PROTOCOL_ATTRIBUTE = MessageKryo.PROTOCOL_ATTRIBUTE;

    private final HazelcastInstance hazelcast;
    private final CairnNode node;

    private CairnMember(HazelcastInstance hazelcast, CairnNode node) {
        this.hazelcast = hazelcast;
        this.node = node;
    }

    /** Starts a member with the user's Hazelcast configuration, completed with Cairn's parts. */
    public static CairnMember start(EngineConfig engine, Config hazelcastConfig, ClassLoader plugins) {
        return start(engine, hazelcastConfig, plugins, UnaryOperator.identity());
    }

    /**
     * Starts a member whose checkpoint storage is wrapped by {@code storageDecorator}: benchmarks
     * and fault tests put a slow or failing storage in front of the real one this way.
     */
    public static CairnMember start(
            EngineConfig engine,
            Config hazelcastConfig,
            ClassLoader plugins,
            UnaryOperator<CheckpointStorage> storageDecorator) {
        return start(engine, hazelcastConfig, plugins, storageDecorator, Hazelcast::newHazelcastInstance);
    }

    /**
     * Starts a member whose Hazelcast instance {@code instances} makes from the completed
     * configuration: tests put members on Hazelcast's in-JVM test network this way, where a network
     * partition can be made and healed.
     */
    public static CairnMember start(
            EngineConfig engine,
            Config hazelcastConfig,
            ClassLoader plugins,
            UnaryOperator<CheckpointStorage> storageDecorator,
            Function<Config, HazelcastInstance> instances) {
        Config config = withCairn(hazelcastConfig, engine);
        HazelcastInstance hazelcast = instances.apply(config);
        CairnNode node = new CairnNode(hazelcast, engine, plugins, storageDecorator);
        hazelcast.getUserContext().put(MessageHandler.USER_CONTEXT_KEY, node);
        node.start();
        return new CairnMember(hazelcast, node);
    }

    /** Cairn's additions to a Hazelcast member configuration. */
    static Config withCairn(Config config, EngineConfig engine) {
        SnapshotMaps.configure(config, engine.backupCount());
        config.addMapConfig(new com.hazelcast.config.MapConfig(ClusterQuorum.MAP).setBackupCount(engine.backupCount()));
        config.getExecutorConfig(CairnCall.EXECUTOR).setPoolSize(16);
        config.getSerializationConfig().addDataSerializableFactory(CairnCall.FACTORY_ID, new CairnCall.Factory());
        config.getSerializationConfig().setJavaSerializationFilterConfig(new JavaSerializationFilterConfig());
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getMemberAttributeConfig().setAttribute(PROTOCOL_ATTRIBUTE, MessageKryo.PROTOCOL);
        return config;
    }

    /** Reads a {@code hazelcast.yaml}. */
    public static Config hazelcastConfig(Path yaml) throws IOException {
        try (InputStream in = Files.newInputStream(yaml)) {
            return new YamlConfigBuilder(in).build();
        }
    }

    /**
     * The configuration of a member that joins nobody: the embedded local-mode engine, bound to
     * loopback, on a free port, in a cluster of its own.
     */
    public static Config localConfig() {
        Config config = new Config();
        config.setClusterName("cairn-local-" + UUID.randomUUID());
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(5701).setPortAutoIncrement(true).setPortCount(1000);
        network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        config.setProperty("hazelcast.socket.bind.any", "false");
        return config;
    }

    public HazelcastInstance hazelcast() {
        return hazelcast;
    }

    /**
     * An engine over this member (jobs are submitted to the master, wherever it is); closing it
     * leaves the member running. The same as {@code ClusterEngineProvider.over(member)}.
     */
    public CairnEngine engine() {
        return ClusterEngineProvider.over(this);
    }

    /** The job's record as the cluster has it, or null. */
    public JobStatus job(String jobId) {
        return JobRecords.decode(node.maps().jobs().get(jobId));
    }

    /**
     * The recent checkpoints of a job, oldest first, if this member is its master (else empty):
     * what the statistics show.
     */
    public List<CheckpointStats> checkpointHistory(String jobId) {
        return node.jobs().history(jobId);
    }

    /** This member's node, for tests of its parts. */
    CairnNode node() {
        return node;
    }

    /** The port of this member's statistics endpoint, or -1 if it is off. */
    public int httpPort() {
        return node.httpPort();
    }

    /** How many subtask groups this member runs now (for tests and status). */
    public int runningTaskGroups() {
        return node.tasks().runningGroups();
    }

    /**
     * The bytes this member has read so far from its open connections to other members (members in
     * one process still talk over loopback sockets; clients are not counted, nor connections that
     * closed): what crossed the wire to it, for benchmarks and tests of what a path sends.
     */
    public long bytesReadFromMembers() {
        return Connections.bytesRead(hazelcast);
    }

    /** Whether this member is the master (runs the job masters). */
    public boolean isMaster() {
        return node.isMaster();
    }

    /** Whether this member runs a master of the job now (its side of the cluster holding a quorum). */
    public boolean runsMasterOf(String jobId) {
        return node.jobs().runs(jobId);
    }

    /** Leaves the cluster in an orderly way. */
    @Override
    public void close() {
        node.close();
        hazelcast.shutdown();
    }

    /**
     * Dies as a {@code kill -9} would: the member drops out of the cluster at once, its tasks stop
     * dead, nothing is handed over (for tests of failure).
     */
    public void kill() {
        node.kill();
        hazelcast.getLifecycleService().terminate();
    }
}
