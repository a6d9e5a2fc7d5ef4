package dev.cairn.checkpoint.cluster.internal.node;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.cluster.internal.rpc.Messages;
import dev.cairn.checkpoint.cluster.internal.rpc.PendingReplies;
import dev.cairn.checkpoint.cluster.internal.store.SnapshotMaps;
import dev.cairn.checkpoint.io.StorageCalls;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * What the job masters and the workers of a member use of it: its configuration, its cluster, its
 * maps and storage, and messages to other members. {@code CairnNode} is the one implementation;
 * masters and workers see only this.
 */
public interface Node {

    EngineConfig config();

    HazelcastInstance hazelcast();

    /** Where job types are found. */
    ClassLoader classLoader();

    SnapshotMaps maps();

    /** Whether this member's side of the cluster may run jobs. */
    ClusterQuorum quorum();

    /** Every storage call on a job's behalf goes through here: its own threads, a deadline per call. */
    StorageCalls storageCalls() throws CheckpointStorageException;

    /** Cluster I/O off the caller's thread: map writes, local messages, retries. */
    ScheduledExecutorService io();

    /** Sends a message to a member and completes with its reply (exceptionally if it left). */
    CompletableFuture<Object> send(Member target, Object message);

    /** Sends a message to the member of uuid {@code member}; false if it is not in the cluster (any more). */
    default boolean sendTo(String member, Object message) {
        for (Member m : hazelcast().getCluster().getMembers()) {
            if (m.getUuid().toString().equals(member)) {
                send(m, message);
                return true;
            }
        }
        return false;
    }

    /** Sends a message to the master member. */
    CompletableFuture<Object> sendToMaster(Object message);

    /** Whether this member is the cluster's master (its oldest member). */
    boolean isMaster();

    /** Requests of this member answered later by a message of their own. */
    PendingReplies pendingReplies();

    /**
     * Sends {@code member} the request {@code request} builds for a new request id, and completes
     * with its answer, a message of its own, when it comes ({@link PendingReplies}): exceptionally
     * if the member refuses the request, leaves, or does not answer within {@code timeoutMillis}.
     */
    default CompletableFuture<Object> ask(Member member, LongFunction<Object> request, long timeoutMillis) {
        CompletableFuture<Object> answer = new CompletableFuture<>();
        long requestId = pendingReplies().register(member.getUuid().toString(), answer);
        try {
            send(member, request.apply(requestId)).whenComplete((reply, error) -> {
                if (error != null) {
                    answer.completeExceptionally(error);
                } else if (reply instanceof Messages.Reply r && !r.ok()) {
                    answer.completeExceptionally(new IllegalStateException(r.message()));
                }
            });
        } catch (RuntimeException e) { // not sent at all (encoding, a closing member): the asker hears it
            answer.completeExceptionally(e);
        }
        return answer.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
    }
}
