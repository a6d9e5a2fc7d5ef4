package dev.cairn.checkpoint.cluster.internal.client;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import dev.cairn.checkpoint.api.CairnException;
import dev.cairn.checkpoint.api.JobHandle;
import dev.cairn.checkpoint.api.JobResult;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.Savepoint;
import dev.cairn.checkpoint.cluster.internal.rpc.JobRecords;
import dev.cairn.checkpoint.cluster.internal.rpc.Messages;
import dev.cairn.checkpoint.storage.api.JobId;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A job, followed through its record in the cluster's map: a listener on that one entry hears
 * each update its master publishes, whichever member that is; a slow check backs the listener up
 * for an update it may miss (a client reconnecting, a partition healing).
 */
final class ClusterJobHandle implements JobHandle {
    private static final long CHECK_SECONDS = 2;

    private final ClusterEngine engine;
    private final JobId id;
    private final Object lock = new Object();
    private CompletableFuture<JobResult> result; // guarded by lock
    private UUID listener; // guarded by lock
    private ScheduledFuture<?> check; // guarded by lock

    ClusterJobHandle(ClusterEngine engine, JobId id) {
        this.engine = engine;
        this.id = id;
    }

    @Override
    public JobId id() {
        return id;
    }

    @Override
    public Optional<JobStatus> status() {
        return engine.record(id.value());
    }

    @Override
    public CompletableFuture<JobResult> result() {
        synchronized (lock) {
            if (result == null) {
                result = new CompletableFuture<>();
                result.whenComplete((r, e) -> stopFollowing());
                engine.follow(this);
                if (!result.isDone()) {
                    startFollowing();
                }
            }
            return result.copy();
        }
    }

    private void startFollowing() {
        Listener heard = new Listener();
        try {
            listener = engine.jobsMap().addEntryListener(heard, id.value(), true);
            check = engine.watch().scheduleWithFixedDelay(this::check, 0, CHECK_SECONDS, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            result.completeExceptionally(ClusterEngine.failure(e, "follow job " + id));
        }
    }

    private void check() {
        try {
            engine.record(id.value()).ifPresent(this::seen);
        } catch (CairnException e) {
            // the engine says so to every handle when the connection is gone for good
        }
    }

    private void seen(JobStatus record) {
        record.result().ifPresent(ended -> {
            CompletableFuture<JobResult> r;
            synchronized (lock) {
                r = result;
            }
            if (r != null) {
                r.complete(ended);
            }
        });
    }

    void lost(CairnException why) {
        CompletableFuture<JobResult> r;
        synchronized (lock) {
            r = result;
        }
        if (r != null) {
            r.completeExceptionally(why);
        }
    }

    private void stopFollowing() {
        engine.unfollow(this);
        UUID registered;
        synchronized (lock) {
            registered = listener;
            listener = null;
            if (check != null) {
                check.cancel(false);
            }
        }
        if (registered != null) {
            try {
                engine.jobsMap().removeEntryListener(registered);
            } catch (RuntimeException e) {
                // the connection is gone: so is the listener
            }
        }
    }

    @Override
    public CompletableFuture<Savepoint> savepoint(boolean stopJob) {
        return engine.requestAsync(new Messages.TakeSavepoint(id.value(), stopJob), "take a savepoint of job " + id)
                .thenApply(reply -> {
                    if (!reply.ok()) {
                        throw reply.toException();
                    }
                    return new Savepoint(reply.savepoints(), stopJob);
                });
    }

    @Override
    public CompletableFuture<JobResult> cancel() {
        return engine.requestAsync(new Messages.CancelJob(id.value()), "cancel job " + id)
                .thenCompose(reply -> {
                    if (!reply.ok()) {
                        throw reply.toException();
                    }
                    return result();
                });
    }

    @Override
    public String toString() {
        return "job " + id;
    }

    private final class Listener implements EntryAddedListener<String, byte[]>, EntryUpdatedListener<String, byte[]> {
        @Override
        public void entryAdded(EntryEvent<String, byte[]> event) {
            heard(event);
        }

        @Override
        public void entryUpdated(EntryEvent<String, byte[]> event) {
            heard(event);
        }

        private void heard(EntryEvent<String, byte[]> event) {
            JobStatus record = JobRecords.decode(event.getValue());
            if (record != null) {
                seen(record);
            }
        }
    }
}
