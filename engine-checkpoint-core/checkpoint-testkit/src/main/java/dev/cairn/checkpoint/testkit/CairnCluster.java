package dev.cairn.checkpoint.testkit;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.test.TestHazelcastFactory;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.test.SplitBrainTestSupport;
import dev.cairn.checkpoint.api.CairnEngine;
import dev.cairn.checkpoint.api.JobHandle;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.cluster.CairnMember;
import dev.cairn.checkpoint.cluster.ClusterEngineProvider;
import dev.cairn.checkpoint.cluster.InProcessCluster;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Cairn cluster in the test JVM: real members on Hazelcast's test network, for testing a job
 * the way it will run, under the failures it must survive.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final CairnCluster cluster = CairnCluster.withMembers(3);
 *
 * @Test
 * void survivesAMemberLoss() throws Exception {
 *     JobHandle job = cluster.engine().submit(spec);
 *     cluster.await(job, status -> status.checkpointsCommitted() >= 2);
 *     cluster.killMember(1);
 *     assertEquals(JobState.FINISHED, job.result().get(2, TimeUnit.MINUTES).state());
 * }
 * }</pre>
 *
 * <p>Registered on a {@code static} field, the cluster starts once for the test class, and before
 * each test it is made whole again: killed members are replaced, a partition healed. Registered on
 * an instance field, each test gets a cluster of its own. Either way, with the kit's configuration
 * the checkpoints go to a temporary directory ({@link #storageDirectory()}) that survives {@link
 * #killAll()} and {@link #restartAll()}, and is deleted at the end; with your own ({@link #of})
 * they go where it says.
 *
 * <p>Members find job types the way running members do: with {@link java.util.ServiceLoader} on
 * the test's class path ({@code META-INF/services/dev.cairn.checkpoint.api.JobDefinition}).
 */
public final class CairnCluster
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, AutoCloseable {

    /** How long the cluster's own waits (forming, healing) take at most. */
    private static final Duration FORM_TIMEOUT = Duration.ofSeconds(60);

    private final int size;
    /** Adjusts the kit's default configuration; null if {@link #given} is used as it is. */
    private final UnaryOperator<EngineConfig.Builder> configure;
    /** The configuration given with {@link #of}, or null. */
    private final EngineConfig given;

    private final UnaryOperator<CheckpointStorage> storageDecorator;
    /** Members on real sockets on 127.0.0.1 rather than on the test network: see {@link #overLoopback()}. */
    private final boolean loopback;

    private final String name = "cairn-test-" + UUID.randomUUID();

    private TestHazelcastFactory network;
    private Path storage;
    private EngineConfig config;
    private final List<CairnMember> members = new ArrayList<>();
    private final Set<List<CairnMember>> blocked = new HashSet<>();
    private CairnEngine engine;
    private boolean perTest;

    private CairnCluster(
            int size,
            UnaryOperator<EngineConfig.Builder> configure,
            EngineConfig given,
            UnaryOperator<CheckpointStorage> decorator,
            boolean loopback) {
        if (size < 1) {
            throw new IllegalArgumentException("a cluster has at least one member, was " + size);
        }
        this.size = size;
        this.configure = configure;
        this.given = given;
        this.storageDecorator = decorator;
        this.loopback = loopback;
    }

    /**
     * A cluster of {@code members} members with the default configuration, except for a
     * checkpoint every 200 ms and the storage in a temporary directory.
     */
    public static CairnCluster withMembers(int members) {
        return withMembers(members, UnaryOperator.identity());
    }

    /**
     * A cluster whose configuration {@code configure} adjusts. The builder it is given already
     * holds the kit's checkpoint interval (200 ms) and storage (the {@code localfile} plugin in a
     * temporary directory); replace the storage with {@code storage(...)} to test against another.
     */
    public static CairnCluster withMembers(int members, UnaryOperator<EngineConfig.Builder> configure) {
        return new CairnCluster(members, configure, null, UnaryOperator.identity(), false);
    }

    /**
     * A cluster whose members run with exactly {@code config}, storage included (a storage every
     * member reaches, which outlives the cluster: checkpoints are not deleted at the end).
     */
    public static CairnCluster of(int members, EngineConfig config) {
        return new CairnCluster(members, null, config, UnaryOperator.identity(), false);
    }

    /**
     * The same cluster, whose members reach their storage through {@code decorator}: put a slow,
     * hanging or failing store in front of the real one.
     */
    public CairnCluster withStorageDecorator(UnaryOperator<CheckpointStorage> decorator) {
        return new CairnCluster(size, configure, given, decorator, loopback);
    }

    /**
     * The same cluster, whose members listen on real sockets on 127.0.0.1 instead of Hazelcast's
     * in-JVM test network, so that clients outside the test reach them at {@link #addresses()}: the
     * {@code bin/cairn} commands, or {@code CairnEngine.connect} in another process. Members still
     * die as with {@code kill -9}; partitions need the test network and are refused.
     */
    public CairnCluster overLoopback() {
        return new CairnCluster(size, configure, given, storageDecorator, true);
    }

    // ------------------------------------------------------------------ JUnit

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (network == null) {
            perTest = true;
            start();
        } else {
            makeWhole();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (perTest) {
            close();
        }
    }

    // ------------------------------------------------------------------ the cluster

    /** Starts the members (the extension does this; call it only when using the cluster without JUnit). */
    public synchronized void start() {
        if (network != null) {
            return;
        }
        if (given != null) {
            config = given;
        } else {
            try {
                storage = Files.createTempDirectory("cairn-testkit-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            EngineConfig.Builder builder = EngineConfig.builder()
                    .checkpointInterval(Duration.ofMillis(200))
                    .storage(
                            "localfile",
                            Map.of("namespace", storage.resolve("checkpoints").toString()));
            config = configure.apply(builder).build();
        }
        network = new TestHazelcastFactory();
        try {
            for (int i = 0; i < size; i++) {
                addMember();
            }
            awaitFormed(size);
        } catch (RuntimeException | Error e) {
            close(); // no member left behind in the test's JVM
            throw e;
        }
    }

    /** Adds a member; it joins the others. */
    public synchronized CairnMember addMember() {
        Config hazelcast = new Config();
        hazelcast.setClusterName(name);
        // Members notice a partition within seconds (a killed member at once: its connections
        // close), and the sides of a healed partition find each other within seconds. Not much
        // less than 8 s: a busy test machine can starve a member's heartbeats for a few seconds,
        // and a member dropped then is a failure the test did not ask for.
        hazelcast.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        hazelcast.setProperty("hazelcast.max.no.heartbeat.seconds", "8");
        hazelcast.setProperty("hazelcast.merge.first.run.delay.seconds", "3");
        hazelcast.setProperty("hazelcast.merge.next.run.delay.seconds", "2");
        if (loopback) {
            onLoopback(hazelcast);
        }
        CairnMember member = CairnMember.start(
                config,
                hazelcast,
                Thread.currentThread().getContextClassLoader(),
                storageDecorator,
                loopback ? Hazelcast::newHazelcastInstance : network::newHazelcastInstance);
        members.add(member);
        return member;
    }

    /**
     * A port of its own for the next member, and every port handed out so far to join: members
     * started later (a restart) find the ones still alive.
     */
    private void onLoopback(Config hazelcast) {
        int port = InProcessCluster.freePorts(1).get(0);
        List<Integer> join = new ArrayList<>();
        for (CairnMember member : members) {
            join.add(member.hazelcast()
                    .getCluster()
                    .getLocalMember()
                    .getAddress()
                    .getPort());
        }
        join.add(port);
        InProcessCluster.onLoopback(hazelcast, port, join);
    }

    /**
     * Where clients reach the live members, {@code host:port} each: with {@link #overLoopback()},
     * real sockets (pass them to {@code bin/cairn --cluster}); otherwise addresses on the test
     * network, which only {@link #engine()} reaches.
     */
    public synchronized List<String> addresses() {
        return members.stream()
                .map(m -> {
                    var address = m.hazelcast().getCluster().getLocalMember().getAddress();
                    return address.getHost() + ":" + address.getPort();
                })
                .toList();
    }

    /** The Hazelcast cluster name the members use (a client's {@code --cluster-name}). */
    public String clusterName() {
        return name;
    }

    /** The live members, oldest first. */
    public synchronized List<CairnMember> members() {
        return List.copyOf(members);
    }

    /** The configuration every member runs with. */
    public EngineConfig config() {
        return config;
    }

    /**
     * Where the members' checkpoints are: the {@code localfile} namespace of the kit's default
     * configuration (not read with a configuration of your own).
     */
    public Path storageDirectory() {
        if (storage == null) {
            throw new IllegalStateException("the cluster runs with a configuration of the test's own; its storage is"
                    + " where that configuration says");
        }
        return storage.resolve("checkpoints");
    }

    /**
     * An engine over the cluster, as a job's client has it: it survives the loss of any member, and
     * its handles follow jobs across master changes. {@link #killAll()} closes it; after {@link
     * #restartAll()} this returns a new one.
     */
    public synchronized CairnEngine engine() {
        if (engine == null) {
            engine = loopback
                    ? ClusterEngineProvider.connect(name, client -> {
                        addresses().forEach(client.getNetworkConfig()::addAddress);
                        return HazelcastClient.newHazelcastClient(client);
                    })
                    : ClusterEngineProvider.connect(name, network::newHazelcastClient);
        }
        return engine;
    }

    /** The member that is the cluster's master (runs the job masters), once the members agree. */
    public CairnMember master() {
        await(
                Duration.ofSeconds(30),
                "the members agree on one master",
                () -> members().stream().filter(CairnMember::isMaster).count() == 1);
        return members().stream().filter(CairnMember::isMaster).findFirst().orElseThrow();
    }

    /** Kills member {@code index} (of {@link #members()}) as {@code kill -9} would: at once, nothing handed over. */
    public CairnMember killMember(int index) {
        CairnMember member = members().get(index);
        kill(member);
        return member;
    }

    /** Kills {@code member} as {@code kill -9} would. */
    public synchronized void kill(CairnMember member) {
        if (members.remove(member)) {
            member.kill();
        }
        if (loopback && members.isEmpty()) {
            closeEngine(); // its client knows only addresses that are gone now
        }
    }

    /**
     * Kills every member at once: a whole cluster crash. The storage survives; the engine is
     * closed (its handles end with {@code ENGINE_CLOSED}).
     */
    public synchronized void killAll() {
        closeEngine();
        for (CairnMember member : List.copyOf(members)) {
            kill(member);
        }
        blocked.clear();
    }

    /**
     * Kills every member (if any is left) and starts the cluster's full size again over the same
     * storage: a full restart. Jobs do not come back by themselves, as after a real full restart:
     * submit them again with their ids, and they restore from their newest stored checkpoints.
     */
    public synchronized void restartAll() {
        killAll();
        for (int i = 0; i < size; i++) {
            addMember();
        }
        awaitFormed(size);
    }

    /**
     * Cuts the members at {@code side} (indexes into {@link #members()}) off from all the others,
     * both ways: a network partition, in which both sides live on. Each side sees the other leave
     * within seconds.
     */
    public synchronized void partition(int... side) {
        if (loopback) {
            throw new IllegalStateException(
                    "partitions need Hazelcast's test network; this cluster runs overLoopback()");
        }
        List<CairnMember> inside = new ArrayList<>();
        for (int index : side) {
            inside.add(members.get(index));
        }
        for (CairnMember in : inside) {
            for (CairnMember out : members) {
                if (!inside.contains(out)) {
                    HazelcastInstance a = in.hazelcast();
                    HazelcastInstance b = out.hazelcast();
                    SplitBrainTestSupport.blockCommunicationBetween(a, b);
                    SplitBrainTestSupport.closeConnectionBetween(a, b);
                    blocked.add(List.of(in, out));
                }
            }
        }
    }

    /** Cuts the members of {@code side} off from all the others, both ways. */
    public synchronized void partition(List<CairnMember> side) {
        for (CairnMember member : side) {
            if (!members.contains(member)) {
                throw new IllegalArgumentException(member + " is not a live member of this cluster");
            }
        }
        partition(side.stream().mapToInt(members::indexOf).toArray());
    }

    /** Cuts every member off from every other one: as many sides as members, none with a quorum. */
    public synchronized void isolateEveryMember() {
        for (int i = 0; i < members.size(); i++) {
            partition(i);
        }
    }

    /** Ends every partition, and waits until the sides have merged into one cluster again. */
    public void heal() {
        List<List<CairnMember>> pairs;
        synchronized (this) {
            pairs = List.copyOf(blocked);
            blocked.clear();
        }
        for (List<CairnMember> pair : pairs) {
            SplitBrainTestSupport.unblockCommunicationBetween(
                    pair.get(0).hazelcast(), pair.get(1).hazelcast());
        }
        awaitFormed(members().size());
    }

    /** Replaces killed members and heals partitions: what a class-wide cluster does before each test. */
    private void makeWhole() {
        heal();
        synchronized (this) {
            if (members.isEmpty()) {
                restartAll();
                return;
            }
            while (members.size() < size) {
                addMember();
            }
        }
        awaitFormed(size);
    }

    /** Waits until every member sees {@code members} members and every partition has its backups. */
    public void awaitFormed(int members) {
        await(
                FORM_TIMEOUT,
                "every member sees " + members + " members, every partition backed up",
                () -> members().stream()
                        .allMatch(m -> m.hazelcast().getCluster().getMembers().size() == members
                                && m.hazelcast().getPartitionService().isClusterSafe()));
    }

    // ------------------------------------------------------------------ waiting

    /**
     * Waits until {@code condition} holds, checking every 20 ms; fails the test with {@code what}
     * once {@code within} has passed.
     */
    public static void await(Duration within, String what, Condition condition) {
        await(within, () -> what, condition);
    }

    private static void await(Duration within, Supplier<String> what, Condition condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (Exception e) {
                throw new AssertionError("while waiting until " + what.get() + ": " + e.getMessage(), e);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within + ": " + what.get());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting until " + what.get(), e);
            }
        }
    }

    /**
     * Waits, at most a minute, until the job's status satisfies {@code condition}; fails at once,
     * with its status, if the job ends first without satisfying it.
     */
    public JobStatus await(JobHandle job, Predicate<JobStatus> condition) {
        return await(job, condition, Duration.ofMinutes(1));
    }

    /** {@link #await(JobHandle, Predicate)} with a deadline of your choosing. */
    public JobStatus await(JobHandle job, Predicate<JobStatus> condition, Duration within) {
        AtomicReference<JobStatus> last = new AtomicReference<>();
        await(within, () -> "job " + job.id() + " gets there; its last status: " + last.get(), () -> {
            JobStatus status = job.status().orElse(null);
            last.set(status);
            if (status == null) {
                return false;
            }
            if (condition.test(status)) {
                return true;
            }
            if (status.state().done()) {
                throw new IllegalStateException(
                        "job " + job.id() + " ended " + status.state() + " first: " + status.message());
            }
            return false;
        });
        return last.get();
    }

    /** A condition to wait for. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    // ------------------------------------------------------------------ the end

    private synchronized void closeEngine() {
        if (engine != null) {
            engine.close();
            engine = null;
        }
    }

    /** Stops everything and deletes the storage directory. */
    @Override
    public synchronized void close() {
        if (network == null) {
            return;
        }
        closeEngine();
        for (CairnMember member : List.copyOf(members)) {
            try {
                member.kill();
            } catch (RuntimeException e) {
                // going away anyway
            }
        }
        members.clear();
        blocked.clear();
        network.terminateAll();
        network = null;
        if (storage != null) {
            deleteRecursively(storage);
            storage = null;
        }
    }

    private static void deleteRecursively(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // a temporary directory: the OS cleans up what is left
        }
    }

    @Override
    public String toString() {
        return "CairnCluster[" + members().size() + " of " + size + " members, storage "
                + (storage != null ? storage : "as configured") + "]";
    }
}
