package dev.cairn.checkpoint.cluster.internal.worker;

import dev.cairn.checkpoint.cluster.internal.node.Node;
import dev.cairn.checkpoint.cluster.internal.rpc.Messages;
import dev.cairn.checkpoint.io.Failures;
import dev.cairn.checkpoint.io.StorageCalls;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.snapshot.SnapshotFormatException;
import dev.cairn.checkpoint.snapshot.StateHandle;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.store.StateParts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member's share of a restore: it reads the parts of the restore point's task states that it
 * will run ({@link Messages.FetchParts}) from the cluster's memory (chunks it owns are local), else
 * from storage, verifies each, keeps them for the coming deploy ({@link TaskService#fetched}), puts
 * them as parts of the new master's copy of the restore point if asked to, and then tells the
 * member that asked ({@link Messages.PartsFetched}). Bytes of state go from where
 * they are to where they are needed, not through the master.
 */
public final class PartFetching {
    private static final Logger LOG = LoggerFactory.getLogger(PartFetching.class);

    /** Parts read at once by one request (a job's storage calls in flight are bounded). */
    private static final int LANES = 2;

    private final Node node;
    private final TaskService tasks;

    public PartFetching(Node node, TaskService tasks) {
        this.node = node;
        this.tasks = tasks;
    }

    /** Starts reading; answers at once. */
    public Messages.Reply fetch(Messages.FetchParts request) {
        Map<String, byte[]> states = new ConcurrentHashMap<>();
        StateHandle[] copies = new StateHandle[request.ordinals().length];
        CompletableFuture<Void> read;
        try {
            read = read(request, states, copies);
        } catch (Exception e) {
            read = CompletableFuture.failedFuture(e);
        }
        read.whenComplete((v, error) -> {
            Throwable failure = error;
            if (failure == null
                    && !tasks.fetched(
                            request.jobId(), request.pipeline(), request.epoch(), request.attempt(), states)) {
                failure = new IllegalStateException(superseded(request));
            }
            // On a failure some copies are missing (null): none is sent.
            answer(request, failure, failure != null || request.copyId() < 0 ? new ArrayList<>() : toList(copies));
        });
        return Messages.Reply.OK;
    }

    /**
     * Reads the states at the request's ordinals into {@code states}, by task; with a copy id, also
     * puts each as a part of the copy and notes its handle in {@code copies}, by position.
     */
    private CompletableFuture<Void> read(Messages.FetchParts request, Map<String, byte[]> states, StateHandle[] copies)
            throws Exception {
        CompletedCheckpoint manifest = SnapshotCodec.decode(request.manifest());
        PipelineKey where = PipelineKey.of(request.jobId(), request.where());
        StorageCalls calls = node.storageCalls();
        JobId job = JobId.of(request.jobId());
        String me = node.hazelcast().getCluster().getLocalMember().getUuid().toString();
        int[] ordinals = request.ordinals();
        CompletableFuture<?>[] lanes = new CompletableFuture<?>[Math.min(LANES, ordinals.length)];
        for (int lane = 0; lane < lanes.length; lane++) {
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int i = lane; i < ordinals.length; i += lanes.length) {
                int position = i;
                int ordinal = ordinals[i];
                String task = manifest.taskStates().get(ordinal).taskId();
                String what = "read the part of " + task + " in checkpoint " + manifest.id() + " of "
                        + manifest.pipeline() + " to restore it";
                chain = chain.thenCompose(v -> calls.call(job, what, s -> {
                            byte[] state = StateParts.state(manifest, ordinal, node.maps(), s, where);
                            states.put(task, state);
                            return state;
                        }))
                        .thenCompose(state -> request.copyId() < 0
                                ? CompletableFuture.<Void>completedFuture(null)
                                : !tasks.wanted(request.jobId(), request.pipeline(), request.epoch(), request.attempt())
                                        ? CompletableFuture.<Void>failedFuture(
                                                new IllegalStateException(superseded(request)))
                                        : StateParts.write(
                                                        node.maps(),
                                                        manifest.pipeline(),
                                                        request.copyId(),
                                                        task,
                                                        state,
                                                        StateParts.CHUNK_SIZE,
                                                        me)
                                                .toCompletableFuture()
                                                .thenAccept(copy -> copies[position] = copy.handle()));
            }
            lanes[lane] = chain;
        }
        return CompletableFuture.allOf(lanes);
    }

    private static String superseded(Messages.FetchParts request) {
        return "epoch " + request.epoch() + " attempt " + request.attempt() + " of " + request.jobId() + "/"
                + request.pipeline() + " was cancelled or superseded while its states were read";
    }

    private static ArrayList<StateHandle> toList(StateHandle[] copies) {
        return new ArrayList<>(Arrays.asList(copies));
    }

    private void answer(Messages.FetchParts request, Throwable error, ArrayList<StateHandle> copies) {
        // The failure as the storage call reported it, and whether a part is unusable for good.
        Throwable cause = Failures.cause(error);
        String reason = "";
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SnapshotFormatException e && reason.isEmpty()) {
                reason = e.reason().name();
            }
        }
        Messages.PartsFetched answer = new Messages.PartsFetched(
                request.requestId(),
                error == null,
                reason,
                cause == null ? "" : String.valueOf(cause.getMessage()),
                copies);
        if (!node.sendTo(request.requester(), answer)) {
            LOG.debug("The member that asked for parts of {} to be read has left", request.jobId());
        }
    }
}
