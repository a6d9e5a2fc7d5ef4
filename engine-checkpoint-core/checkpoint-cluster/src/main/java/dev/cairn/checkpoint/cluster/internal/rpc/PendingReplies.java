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
    private final Map<Long, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();

    /** Registers {@code answer} under a new request id; it is forgotten once it completes, however. */
    public long register(CompletableFuture<Void> answer) {
        long id = next.incrementAndGet();
        pending.put(id, answer);
        answer.whenComplete((v, e) -> pending.remove(id));
        return id;
    }

    /** An answer came: completes its request, if this member still waits for it. */
    public void answered(Messages.PartsStored answer) {
        CompletableFuture<Void> request = pending.remove(answer.requestId());
        if (request == null) {
            return;
        }
        if (answer.ok()) {
            request.complete(null);
        } else if (answer.missing()) {
            request.completeExceptionally(SnapshotFormatException.missingPart(answer.detail()));
        } else {
            request.completeExceptionally(new IllegalStateException(answer.detail()));
        }
    }

    /** Requests waiting for an answer, for tests. */
    public int waiting() {
        return pending.size();
    }
}
