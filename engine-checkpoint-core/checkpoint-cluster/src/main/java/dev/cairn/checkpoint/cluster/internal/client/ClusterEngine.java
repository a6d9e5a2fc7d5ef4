package dev.cairn.checkpoint.cluster.internal.client;

import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.map.IMap;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import dev.cairn.checkpoint.api.CairnEngine;
import dev.cairn.checkpoint.api.CairnException;
import dev.cairn.checkpoint.api.JobHandle;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.RestoreRequest;
import dev.cairn.checkpoint.cluster.internal.node.Threads;
import dev.cairn.checkpoint.cluster.internal.rpc.JobRecords;
import dev.cairn.checkpoint.cluster.internal.rpc.Messages;
import dev.cairn.checkpoint.io.Failures;
import dev.cairn.checkpoint.storage.api.JobId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;

/**
 * {@link CairnEngine} over a {@link Connection}: a member in this process, or a client of running
 * members. Requests that wait (a savepoint, a cancel) run on threads of the engine's own, never on
 * the caller's or Hazelcast's.
 */
public final class ClusterEngine implements CairnEngine {

    /** How the engine reaches the cluster. */
    public interface Connection extends AutoCloseable {
        /** Sends a request for the job masters and waits for the reply; throws if it never arrives. */
        Messages.Reply request(Object message) throws Exception;

        /** The cluster's map of job records. */
        IMap<String, byte[]> jobs();

        /** Runs {@code lost} once the connection is gone for good (closed, or the cluster unreachable). */
        void onLost(Runnable lost);

        /** What to call it in messages: "the engine in this process", "the cluster at ...". */
        String describe();

        /** What a handle's future fails with once the connection is lost. */
        default String lostMessage() {
            return describe() + " cannot be reached any more";
        }

        @Override
        void close();
    }

    private final Connection connection;
    private final ExecutorService requests = Executors.newCachedThreadPool(Threads.daemon("cairn-engine-request"));
    /** Checks now and then on jobs followed by a handle, in case an update of their record was missed. */
    private final ScheduledExecutorService watch =
            Executors.newSingleThreadScheduledExecutor(Threads.daemon("cairn-engine-watch"));

    private final List<ClusterJobHandle> followed = new ArrayList<>(); // guarded by itself
    private volatile CairnException lost;

    public ClusterEngine(Connection connection) {
        this.connection = connection;
        connection.onLost(() -> lose(new CairnException(CairnException.Reason.UNREACHABLE, connection.lostMessage())));
    }

    @Override
    public JobHandle submit(JobSpec job) {
        return submitted(job, Messages.SubmitJob.of(job));
    }

    @Override
    public JobHandle submit(JobSpec job, RestoreRequest restore) {
        return submitted(job, Messages.SubmitJob.of(job, restore));
    }

    private JobHandle submitted(JobSpec job, Messages.SubmitJob submit) {
        Messages.Reply reply = request(submit, "submit job " + job.jobId());
        if (!reply.ok()) {
            throw reply.toException();
        }
        return new ClusterJobHandle(this, job.jobId());
    }

    @Override
    public Optional<JobHandle> job(JobId id) {
        return record(id.value()).map(r -> new ClusterJobHandle(this, id));
    }

    @Override
    public List<JobStatus> jobs() {
        checkOpen();
        try {
            List<JobStatus> all = new ArrayList<>();
            connection.jobs().forEach((id, bytes) -> all.add(JobRecords.decode(bytes)));
            all.sort(java.util.Comparator.comparing(JobStatus::jobId));
            return all;
        } catch (RuntimeException e) {
            throw failure(e, "list the jobs");
        }
    }

    Optional<JobStatus> record(String jobId) {
        checkOpen();
        try {
            return Optional.ofNullable(JobRecords.decode(connection.jobs().get(jobId)));
        } catch (RuntimeException e) {
            throw failure(e, "read the record of job " + jobId);
        }
    }

    /** Sends a request and waits for its reply on the caller's thread. */
    Messages.Reply request(Object message, String what) {
        checkOpen();
        try {
            return connection.request(message);
        } catch (Exception e) {
            throw failure(e, what);
        }
    }

    /** Sends a request on one of the engine's threads. */
    CompletableFuture<Messages.Reply> requestAsync(Object message, String what) {
        return CompletableFuture.supplyAsync(() -> request(message, what), requests);
    }

    IMap<String, byte[]> jobsMap() {
        return connection.jobs();
    }

    ScheduledExecutorService watch() {
        return watch;
    }

    void follow(ClusterJobHandle handle) {
        synchronized (followed) {
            followed.add(handle);
        }
        CairnException gone = lost;
        if (gone != null) {
            handle.lost(gone);
        }
    }

    void unfollow(ClusterJobHandle handle) {
        synchronized (followed) {
            followed.remove(handle);
        }
    }

    private void checkOpen() {
        CairnException gone = lost;
        if (gone != null) {
            throw new CairnException(gone.reason(), gone.getMessage());
        }
    }

    private void lose(CairnException why) {
        if (lost != null) {
            return;
        }
        lost = why;
        List<ClusterJobHandle> handles;
        synchronized (followed) {
            handles = List.copyOf(followed);
        }
        handles.forEach(h -> h.lost(why));
    }

    /** What went wrong while talking to the cluster, as a reason. */
    static CairnException failure(Throwable error, String what) {
        Throwable t = Failures.cause(error);
        if (t instanceof CairnException known) {
            return known;
        }
        if (t instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new CairnException(CairnException.Reason.INTERRUPTED, "interrupted while trying to " + what, t);
        }
        if (t instanceof TimeoutException) {
            return new CairnException(CairnException.Reason.TIMEOUT, "no answer in time to: " + what, t);
        }
        if (t instanceof MemberLeftException
                || t instanceof TargetNotMemberException
                || t instanceof TargetDisconnectedException) {
            return new CairnException(
                    CairnException.Reason.JOB_MOVED,
                    "the member handling the request left before it answered; ask again (" + what + ")",
                    t);
        }
        if (t instanceof HazelcastInstanceNotActiveException || t instanceof IllegalStateException) {
            return new CairnException(
                    CairnException.Reason.UNREACHABLE, "cannot " + what + ": the cluster is not reachable", t);
        }
        return new CairnException(CairnException.Reason.UNREACHABLE, "cannot " + what + ": " + t, t);
    }

    @Override
    public void close() {
        lose(new CairnException(CairnException.Reason.ENGINE_CLOSED, "the engine was closed"));
        requests.shutdownNow();
        watch.shutdownNow();
        connection.close();
    }
}
