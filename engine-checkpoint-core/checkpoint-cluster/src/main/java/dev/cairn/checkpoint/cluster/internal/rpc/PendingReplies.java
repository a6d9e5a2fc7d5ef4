package dev.cairn.checkpoint.cluster.internal.rpc;

import dev.cairn.checkpoint.snapshot.SnapshotFormatException;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests this member sent whose answer comes later, as a message of its own ({@link
 * Messages.PartsStored}): each by a request id. Ids start at a random number, so that an answer
 * meant for a former master never completes a request of this one.
 */
public final class PendingReplies {
    private final AtomicLong next = new AtomicLong(new SecureRandom().nextLong());
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();

    private record Pending(String member, CompletableFuture<Object> answer) {}

    /**
     * Registers {@code answer}, to come from {@code member} (its uuid), under a new request id; it
     * completes with the answer message, and is forgotten once it completes, however.
     */
    public long register(String member, CompletableFuture<Object> answer) {
        long id = next.incrementAndGet();
        pending.put(id, new Pending(member, answer));
        answer.whenComplete((v, e) -> pending.remove(id));
        return id;
    }

    /**
     * {@code member} (its uuid) left the cluster: what it was asked fails now, so that the asker
     * tries again (storing that member's parts itself from their backups) at once, not after a
     * timeout.
     */
    public void memberLeft(String member) {
        pending.values().stream().filter(p -> p.member().equals(member)).forEach(p -> p.answer()
                .completeExceptionally(new IllegalStateException("member " + member + " left before it answered")));
    }

    /** An answer came: completes its request, if this member still waits for it. */
    public void answered(Messages.PartsStored answer) {
        answered(
                answer,
                answer.requestId(),
                answer.ok() ? null : answer.missing() ? SnapshotFormatException.Reason.MISSING_PART : null,
                answer.ok(),
                answer.detail());
    }

    /** An answer came: completes its request, if this member still waits for it. */
    public void answered(Messages.PartsFetched answer) {
        SnapshotFormatException.Reason reason = null;
        for (SnapshotFormatException.Reason r : SnapshotFormatException.Reason.values()) {
            reason = r.name().equals(answer.reason()) ? r : reason;
        }
        answered(answer, answer.requestId(), reason, answer.ok(), answer.detail());
    }

    /**
     * Completes a request: with the answer, or with a {@link SnapshotFormatException} of {@code
     * reason} (a part unusable for good), or with an {@link IllegalStateException} (anything else).
     */
    private void answered(
            Object answer, long requestId, SnapshotFormatException.Reason reason, boolean ok, String detail) {
        Pending pendingAnswer = pending.remove(requestId);
        if (pendingAnswer == null) {
            return;
        }
        CompletableFuture<Object> request = pendingAnswer.answer();
        if (ok) {
            request.complete(answer);
        } else if (reason != null) {
            request.completeExceptionally(SnapshotFormatException.reported(reason, detail));
        } else {
            request.completeExceptionally(new IllegalStateException(detail));
        }
    }

    /** Requests waiting for an answer, for tests. */
    public int waiting() {
        return pending.size();
    }
}
