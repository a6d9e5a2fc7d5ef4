package dev.cairn.checkpoint.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import dev.cairn.checkpoint.api.CairnException;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.api.config.StorageConfig;
import dev.cairn.checkpoint.cluster.internal.master.JobService;
import dev.cairn.checkpoint.cluster.internal.node.ClusterQuorum;
import dev.cairn.checkpoint.cluster.internal.node.Node;
import dev.cairn.checkpoint.cluster.internal.node.Threads;
import dev.cairn.checkpoint.cluster.internal.rpc.CairnCall;
import dev.cairn.checkpoint.cluster.internal.rpc.MessageHandler;
import dev.cairn.checkpoint.cluster.internal.rpc.MessageKryo;
import dev.cairn.checkpoint.cluster.internal.rpc.Messages;
import dev.cairn.checkpoint.cluster.internal.rpc.PendingReplies;
import dev.cairn.checkpoint.cluster.internal.store.SnapshotMaps;
import dev.cairn.checkpoint.cluster.internal.web.JobMBeans;
import dev.cairn.checkpoint.cluster.internal.web.StatsServer;
import dev.cairn.checkpoint.cluster.internal.worker.PartFetching;
import dev.cairn.checkpoint.cluster.internal.worker.PartStoring;
import dev.cairn.checkpoint.cluster.internal.worker.TaskService;
import dev.cairn.checkpoint.io.StorageCalls;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cairn on one cluster member: the tasks it runs ({@link TaskService}) and, while it is the
 * cluster's master (its oldest member), the job masters ({@link JobService}). Found from the
 * Hazelcast instance through its user context, by {@link CairnCall}s arriving from other members.
 */
final class CairnNode implements Node, MessageHandler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CairnNode.class);

    private final HazelcastInstance hazelcast;
    private final EngineConfig config;
    private final ClassLoader classLoader;
    private final SnapshotMaps maps;
    private final TaskService tasks;
    private final PartStoring parts;
    private final PartFetching fetching;
    private final PendingReplies pendingReplies = new PendingReplies();
    private final JobService jobs;
    private final ClusterQuorum quorum;
    private final ScheduledExecutorService io;
    private final ExecutorService control;
    private final IExecutorService executor;
    private final UnaryOperator<CheckpointStorage> storageDecorator;
    private CheckpointStorage storage; // opened on first use; guarded by this
    private StorageCalls storageCalls; // made with it; guarded by this
    private StatsServer http;
    private JobMBeans mbeans;

    CairnNode(
            HazelcastInstance hazelcast,
            EngineConfig config,
            ClassLoader classLoader,
            UnaryOperator<CheckpointStorage> storageDecorator) {
        this.hazelcast = hazelcast;
        this.storageDecorator = storageDecorator;
        this.config = config;
        this.classLoader = classLoader;
        this.maps = new SnapshotMaps(hazelcast);
        this.io = Executors.newScheduledThreadPool(4, Threads.daemon("cairn-io"));
        this.control = Executors.newSingleThreadExecutor(Threads.daemon("cairn-membership"));
        this.executor = hazelcast.getExecutorService(CairnCall.EXECUTOR);
        this.quorum = new ClusterQuorum(hazelcast, config);
        this.tasks = new TaskService(this, config.queueType());
        this.parts = new PartStoring(this);
        this.fetching = new PartFetching(this, tasks);
        this.jobs = new JobService(this);
    }

    /** Starts listening to the cluster; takes the master role if this member has it. */
    void start() {
        maps.forgetHeldPartsOfRemovedPipelines();
        hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                String protocol = event.getMember().getAttribute(CairnMember.PROTOCOL_ATTRIBUTE);
                if (!MessageKryo.PROTOCOL.equals(protocol)) {
                    LOG.error(
                            "Member {} speaks Cairn protocol {}, this one {}: they cannot work together; run one"
                                    + " Cairn release on every member",
                            event.getMember().getAddress(),
                            protocol,
                            MessageKryo.PROTOCOL);
                }
                onMembershipThread(() -> {
                    quorum.memberAdded();
                    jobs.checkMastership();
                });
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                pendingReplies.memberLeft(event.getMember().getUuid().toString());
                onMembershipThread(() -> {
                    quorum.memberRemoved(event.getMember());
                    jobs.checkMastership();
                    jobs.memberRemoved(event.getMember());
                });
            }
        });
        onMembershipThread(jobs::checkMastership);
        tasks.startWatchdog();
        io.scheduleWithFixedDelay(
                () -> onMembershipThread(jobs::adoptOrphanedJobs), 2, 2, java.util.concurrent.TimeUnit.SECONDS);
        String member = hazelcast.getCluster().getLocalMember().getUuid().toString();
        mbeans = new JobMBeans(member, maps.jobs());
        io.scheduleWithFixedDelay(this::refreshMBeans, 0, 1, java.util.concurrent.TimeUnit.SECONDS);
        if (config.http().enabled()) {
            try {
                http = new StatsServer(
                        config.http(), maps::jobs, () -> maps.heldParts().bytes());
                LOG.info(
                        "Statistics at http://{}:{}/cairn/ui/ (page), /cairn/jobs (JSON) and /metrics (Prometheus)",
                        config.http().host(),
                        http.port());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(
                        "cannot serve statistics on " + config.http().host() + ":"
                                + config.http().port() + ": " + e.getMessage(),
                        e);
            }
        }
    }

    private void refreshMBeans() {
        try {
            mbeans.refresh();
        } catch (RuntimeException e) {
            LOG.debug("Refreshing the job MBeans failed", e);
        }
    }

    /** The statistics endpoint's port, or -1 if it is off. */
    int httpPort() {
        return http == null ? -1 : http.port();
    }

    // ---------------------------------------------------------------- messages

    /** Handles a message on the receiving member; returns the reply. */
    @Override
    public Object handle(Object message) {
        if (message instanceof Messages.ToMaster) {
            if (!isMaster()) {
                return sendToMaster(message).join();
            }
            return jobs.handle(message);
        }
        if (message instanceof Messages.Deploy deploy) {
            return tasks.deploy(deploy);
        }
        if (message instanceof Messages.Trigger trigger) {
            tasks.trigger(trigger);
            return Messages.Reply.OK;
        }
        if (message instanceof Messages.Notify notify) {
            tasks.notify(notify);
            return Messages.Reply.OK;
        }
        if (message instanceof Messages.Cancel cancel) {
            return tasks.cancel(cancel);
        }
        if (message instanceof Messages.StoreParts request) {
            return parts.store(request);
        }
        if (message instanceof Messages.PartsStored answer) {
            pendingReplies.answered(answer);
            return Messages.Reply.OK;
        }
        if (message instanceof Messages.FetchParts request) {
            return fetching.fetch(request);
        }
        if (message instanceof Messages.PartsFetched answer) {
            pendingReplies.answered(answer);
            return Messages.Reply.OK;
        }
        return Messages.Reply.error(
                CairnException.Reason.INCOMPATIBLE_MEMBERS,
                "unknown message " + message.getClass().getSimpleName());
    }

    /** Sends a message to a member and completes with its reply (exceptionally if it left). */
    @Override
    public CompletableFuture<Object> send(Member target, Object message) {
        CompletableFuture<Object> reply = new CompletableFuture<>();
        if (target.localMember()) {
            try {
                io.execute(() -> {
                    try {
                        reply.complete(handle(message));
                    } catch (RuntimeException e) {
                        reply.completeExceptionally(e);
                    }
                });
            } catch (RejectedExecutionException e) {
                reply.completeExceptionally(new IllegalStateException("this member is shutting down", e));
            }
            return reply;
        }
        executor.submitToMember(new CairnCall(message), target, new ExecutionCallback<byte[]>() {
            @Override
            public void onResponse(byte[] response) {
                reply.complete(MessageKryo.decode(response));
            }

            @Override
            public void onFailure(Throwable t) {
                reply.completeExceptionally(t);
            }
        });
        return reply;
    }

    @Override
    public CompletableFuture<Object> sendToMaster(Object message) {
        return send(master(), message);
    }

    Member master() {
        return hazelcast.getCluster().getMembers().iterator().next();
    }

    @Override
    public PendingReplies pendingReplies() {
        return pendingReplies;
    }

    @Override
    public boolean isMaster() {
        return master().localMember();
    }

    // ---------------------------------------------------------------- shared parts

    synchronized CheckpointStorage storage() throws CheckpointStorageException {
        if (storage == null) {
            StorageConfig storageConfig = config.checkpoint().storage();
            storage = storageDecorator.apply(CheckpointStorageFactories.find(storageConfig.type(), classLoader)
                    .create(storageConfig.pluginConfig()));
            LOG.info("Checkpoint storage: {}", storage);
        }
        return storage;
    }

    /** Every storage call on a job's behalf goes through here: its own threads, a deadline per call. */
    @Override
    public synchronized StorageCalls storageCalls() throws CheckpointStorageException {
        if (storageCalls == null) {
            storageCalls = new StorageCalls(
                    storage(), config.checkpoint().storage().callTimeout().toMillis());
        }
        return storageCalls;
    }

    @Override
    public HazelcastInstance hazelcast() {
        return hazelcast;
    }

    @Override
    public EngineConfig config() {
        return config;
    }

    @Override
    public ClassLoader classLoader() {
        return classLoader;
    }

    @Override
    public SnapshotMaps maps() {
        return maps;
    }

    @Override
    public ScheduledExecutorService io() {
        return io;
    }

    /** Whether this member's side of the cluster may run jobs. */
    @Override
    public ClusterQuorum quorum() {
        return quorum;
    }

    /** Membership changes that arrive while this node closes concern it no more: they are dropped. */
    private void onMembershipThread(Runnable work) {
        try {
            control.execute(work);
        } catch (RejectedExecutionException e) {
            LOG.debug("Node closed; a membership change is left to the others");
        }
    }

    JobService jobs() {
        return jobs;
    }

    TaskService tasks() {
        return tasks;
    }

    /** Stops this node's part of the work: job masters, tasks, storage. */
    @Override
    public void close() {
        quorum.announceLeaving();
        jobs.close();
        tasks.stopAll();
        closeEndpoints();
        control.shutdownNow();
        io.shutdownNow();
        synchronized (this) {
            if (storageCalls != null) {
                storageCalls.close();
            }
            if (storage != null) {
                storage.close();
            }
        }
    }

    /** Stops everything at once, as a crash would: nothing is cleaned up or handed over. */
    void kill() {
        jobs.abandonAll();
        tasks.stopAll();
        closeEndpoints();
        control.shutdownNow();
        io.shutdownNow();
        synchronized (this) {
            if (storageCalls != null) {
                storageCalls.close();
            }
        }
    }

    private void closeEndpoints() {
        if (http != null) {
            http.close();
        }
        if (mbeans != null) {
            mbeans.close();
        }
    }
}
