package dev.cairn.checkpoint.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

/**
 * Real Cairn members in this JVM, joined over TCP/IP on loopback, each on a port of its own, in a
 * cluster of their own: for benchmarks and integration tests. Members can be killed (as {@code
 * kill -9} would) and added.
 */
public final class InProcessCluster implements AutoCloseable {
    private static final int MAX_MEMBERS = 16;

    private final EngineConfig engine;
    private final ClassLoader plugins;
    private final UnaryOperator<CheckpointStorage> storageDecorator;
    private final String name = "cairn-" + UUID.randomUUID();
    private final List<Integer> ports;
    private final List<CairnMember> members = new ArrayList<>();
    private int nextPort;

    public InProcessCluster(EngineConfig engine, ClassLoader plugins, UnaryOperator<CheckpointStorage> storageDecorator)
            throws IOException {
        this.engine = engine;
        this.plugins = plugins;
        this.storageDecorator = storageDecorator;
        this.ports = freePorts(MAX_MEMBERS);
    }

    /** Starts another member; it joins the others. */
    public synchronized CairnMember addMember() {
        if (nextPort >= ports.size()) {
            throw new IllegalStateException("no more than " + MAX_MEMBERS + " members in one in-process cluster");
        }
        Config config = new Config();
        config.setClusterName(name);
        onLoopback(config, ports.get(nextPort++), ports);
        CairnMember member = CairnMember.start(engine, config, plugins, storageDecorator);
        members.add(member);
        return member;
    }

    /**
     * Puts a member on {@code port} of 127.0.0.1 only, joining over TCP/IP the members on {@code
     * ports} (no multicast, no discovery): members of one process, reachable by clients outside it.
     */
    public static void onLoopback(Config config, int port, List<Integer> ports) {
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(port).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true);
        ports.forEach(p -> join.getTcpIpConfig().addMember("127.0.0.1:" + p));
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.socket.bind.any", "false");
    }

    public synchronized List<CairnMember> members() {
        return List.copyOf(members);
    }

    /** Kills a member as {@code kill -9} would. */
    public synchronized void kill(CairnMember member) {
        members.remove(member);
        member.kill();
    }

    /** Whether every member sees {@code size} members and every partition has its backups. */
    public synchronized boolean formed(int size) {
        return members.stream()
                .allMatch(m -> m.hazelcast().getCluster().getMembers().size() == size
                        && m.hazelcast().getPartitionService().isClusterSafe());
    }

    /**
     * {@code count} ports free now on this machine, below Linux's ephemeral range, from a random
     * start (so that two processes doing this rarely pick the same).
     */
    public static List<Integer> freePorts(int count) {
        List<Integer> ports = new ArrayList<>();
        // Below Linux's ephemeral range (32768 and up): an outgoing connection made between this
        // check and the member's bind could otherwise be given the very port the member wants.
        int port = 10_000 + ThreadLocalRandom.current().nextInt(20_000);
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
    public synchronized void close() {
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
