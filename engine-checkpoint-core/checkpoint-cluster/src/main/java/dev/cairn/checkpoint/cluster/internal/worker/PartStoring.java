package dev.cairn.checkpoint.cluster.internal.worker;

import dev.cairn.checkpoint.cluster.internal.node.Node;
import dev.cairn.checkpoint.cluster.internal.rpc.Messages;
import dev.cairn.checkpoint.flush.LocalPartStorer;
import dev.cairn.checkpoint.io.Failures;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.snapshot.SnapshotFormatException;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member's share of a flush: it stores the parts of a manifest that it holds ({@link
 * Messages.StoreParts}), reading their chunks from partitions it owns, on its own storage calls, and
 * then tells the member that asked ({@link Messages.PartsStored}). Every member writes its own
 * share at once; the master stores the manifest once every share is in.
 */
public final class PartStoring {
    private static final Logger LOG = LoggerFactory.getLogger(PartStoring.class);

    private final Node node;

    public PartStoring(Node node) {
        this.node = node;
    }

    /** Starts storing; answers at once. */
    public Messages.Reply store(Messages.StoreParts request) {
        CompletableFuture<Void> stored;
        try {
            CompletedCheckpoint manifest = SnapshotCodec.decode(request.manifest());
            stored = new LocalPartStorer(node.maps(), node.storageCalls())
                    .store(
                            PipelineKey.of(request.jobId(), request.where()),
                            manifest,
                            Arrays.stream(request.ordinals()).boxed().toList());
        } catch (Exception e) {
            stored = CompletableFuture.failedFuture(e);
        }
        stored.whenComplete((v, error) -> answer(request, error));
        return Messages.Reply.OK;
    }

    private void answer(Messages.StoreParts request, Throwable error) {
        // The failure as the storage call reported it (naming the job, checkpoint and path), not
        // its innermost cause; and whether a part was gone for good somewhere in the chain.
        Throwable cause = Failures.cause(error);
        boolean missing = false;
        for (Throwable t = error; t != null; t = t.getCause()) {
            missing |=
                    t instanceof SnapshotFormatException e && e.reason() == SnapshotFormatException.Reason.MISSING_PART;
        }
        Messages.PartsStored answer = new Messages.PartsStored(
                request.requestId(), error == null, missing, cause == null ? "" : String.valueOf(cause.getMessage()));
        if (!node.sendTo(request.requester(), answer)) {
            LOG.debug("The member that asked for parts of {} to be stored has left", request.jobId());
        }
    }
}
