package dev.cairn.checkpoint.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import dev.cairn.checkpoint.runtime.JobSpec;
import dev.cairn.checkpoint.serialization.CairnKryo;
import dev.cairn.checkpoint.store.SnapshotMaps;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Talks to running members from outside the cluster: submits jobs and follows them. */
public final class CairnClient implements AutoCloseable {
    private final HazelcastInstance client;

    private CairnClient(HazelcastInstance client) {
        this.client = client;
    }

    /**
     * Connects to members at {@code addresses} ({@code host:port}).
     *
     * @param clusterName the members' cluster name
     */
    public static CairnClient connect(List<String> addresses, String clusterName) {
        ClientConfig config = new ClientConfig();
        config.setClusterName(clusterName);
        config.getNetworkConfig().setAddresses(addresses);
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(15_000);
        config.getSerializationConfig().addDataSerializableFactory(CairnCall.FACTORY_ID, new CairnCall.Factory());
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        return new CairnClient(HazelcastClient.newHazelcastClient(config));
    }

    public Messages.Reply submit(JobSpec spec) throws ExecutionException, InterruptedException, TimeoutException {
        IExecutorService executor = client.getExecutorService(CairnNode.EXECUTOR);
        byte[] reply =
                executor.submit(new CairnCall(Messages.SubmitJob.of(spec))).get(60, TimeUnit.SECONDS);
        return (Messages.Reply) CairnKryo.decodeMessage(reply);
    }

    public JobRecord job(String jobId) {
        return JobRecord.decode(client.<String, byte[]>getMap(SnapshotMaps.JOBS).get(jobId));
    }

    @Override
    public void close() {
        client.shutdown();
    }
}
