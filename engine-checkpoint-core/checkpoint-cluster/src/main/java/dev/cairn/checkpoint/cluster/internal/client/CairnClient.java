package dev.cairn.checkpoint.cluster.internal.client;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import dev.cairn.checkpoint.api.CairnException;
import dev.cairn.checkpoint.api.ClusterAddress;
import dev.cairn.checkpoint.cluster.internal.rpc.CairnCall;
import dev.cairn.checkpoint.cluster.internal.rpc.MessageKryo;
import dev.cairn.checkpoint.cluster.internal.rpc.Messages;
import dev.cairn.checkpoint.cluster.internal.store.SnapshotMaps;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The connection of a {@link ClusterEngine} to running members, from outside the cluster: a
 * Hazelcast client. Before it connects, {@link ClusterProbe} asks the addresses whether a cluster
 * of that name is there; once connected, it checks that the members speak its Cairn protocol.
 */
public final class CairnClient implements ClusterEngine.Connection {
    /** How long the client tries to reach the cluster again after it lost it, before it gives up. */
    private static final long RECONNECT_MILLIS = 30_000;
    /** How long a request may take: a savepoint waits for its storage write. */
    private static final long REQUEST_MINUTES = 10;

    private final HazelcastInstance client;
    private final String description;

    private CairnClient(HazelcastInstance client, String description) {
        this.client = client;
        this.description = description;
    }

    /** Connects to the members at {@code address}; throws a {@link CairnException} saying why not. */
    public static CairnClient connect(ClusterAddress address) {
        ClusterProbe.check(address);
        return connect(
                address.clusterName(),
                config -> {
                    config.getNetworkConfig().setAddresses(address.members());
                    return HazelcastClient.newHazelcastClient(config);
                },
                "the cluster '" + address.clusterName() + "' at " + address.members());
    }

    /**
     * Connects with a client that {@code clients} makes from Cairn's client configuration: a test
     * network's, where no address is probed.
     */
    public static CairnClient connect(
            String clusterName, Function<ClientConfig, HazelcastInstance> clients, String description) {
        ClientConfig config = new ClientConfig();
        config.setClusterName(clusterName);
        config.getConnectionStrategyConfig()
                .getConnectionRetryConfig()
                .setClusterConnectTimeoutMillis(RECONNECT_MILLIS);
        config.getSerializationConfig().addDataSerializableFactory(CairnCall.FACTORY_ID, new CairnCall.Factory());
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        HazelcastInstance client;
        try {
            client = clients.apply(config);
        } catch (RuntimeException e) {
            throw new CairnException(
                    CairnException.Reason.UNREACHABLE, "cannot reach " + description + ": " + e.getMessage(), e);
        }
        CairnClient connected = new CairnClient(client, description);
        try {
            connected.checkProtocol(clusterName);
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
        return connected;
    }

    /** Every member must speak this client's Cairn protocol (see {@link MessageKryo#PROTOCOL_ATTRIBUTE}). */
    private void checkProtocol(String clusterName) {
        List<String> other = new ArrayList<>();
        for (Member member : client.getCluster().getMembers()) {
            String protocol = member.getAttribute(MessageKryo.PROTOCOL_ATTRIBUTE);
            if (!MessageKryo.PROTOCOL.equals(protocol)) {
                other.add(member.getAddress() + (protocol == null ? " (no Cairn)" : " (protocol " + protocol + ")"));
            }
        }
        if (!other.isEmpty()) {
            throw new CairnException(
                    CairnException.Reason.INCOMPATIBLE_MEMBERS,
                    "members of the cluster '" + clusterName + "' do not speak this Cairn's protocol "
                            + MessageKryo.PROTOCOL + ": " + String.join(", ", other)
                            + "; use the bin/cairn of the members' release");
        }
    }

    /** Sends a request for the master to a member (which forwards it) and returns the reply. */
    @Override
    public Messages.Reply request(Object message) throws Exception {
        IExecutorService executor = client.getExecutorService(CairnCall.EXECUTOR);
        byte[] reply = executor.submit(new CairnCall(message)).get(REQUEST_MINUTES, TimeUnit.MINUTES);
        return (Messages.Reply) MessageKryo.decode(reply);
    }

    @Override
    public IMap<String, byte[]> jobs() {
        return client.getMap(SnapshotMaps.JOBS);
    }

    @Override
    public void onLost(Runnable lost) {
        client.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN
                    || event.getState() == LifecycleEvent.LifecycleState.SHUTDOWN) {
                lost.run();
            }
        });
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        client.shutdown();
    }
}
