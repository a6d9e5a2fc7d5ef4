package dev.cairn.checkpoint.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.RestoreRequest;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
        return call(Messages.SubmitJob.of(spec));
    }

    /** Submits a job that restores exactly from {@code restore}, or fails saying why. */
    public Messages.Reply submit(JobSpec spec, RestoreRequest restore)
            throws ExecutionException, InterruptedException, TimeoutException {
        return call(Messages.SubmitJob.of(spec, restore));
    }

    public Messages.Reply cancel(String jobId) throws ExecutionException, InterruptedException, TimeoutException {
        return call(new Messages.CancelJob(jobId));
    }

    /** Takes a savepoint of a running job, waiting until it is in storage; {@code stop}: then cancels it. */
    public Messages.Reply savepoint(String jobId, boolean stop)
            throws ExecutionException, InterruptedException, TimeoutException {
        return call(new Messages.TakeSavepoint(jobId, stop));
    }

    public JobStatus job(String jobId) {
        return JobRecords.decode(
                client.<String, byte[]>getMap(SnapshotMaps.JOBS).get(jobId));
    }

    /** Every job the cluster knows, by id. */
    public Map<String, JobStatus> jobs() {
        Map<String, JobStatus> jobs = new TreeMap<>();
        client.<String, byte[]>getMap(SnapshotMaps.JOBS).forEach((id, bytes) -> jobs.put(id, JobRecords.decode(bytes)));
        return jobs;
    }

    /** Sends a request for the master to a member (which forwards it) and returns the reply. */
    private Messages.Reply call(Object request) throws ExecutionException, InterruptedException, TimeoutException {
        IExecutorService executor = client.getExecutorService(CairnNode.EXECUTOR);
        byte[] reply = executor.submit(new CairnCall(request)).get(10, TimeUnit.MINUTES);
        return (Messages.Reply) MessageKryo.decode(reply);
    }

    @Override
    public void close() {
        client.shutdown();
    }
}
