package dev.cairn.checkpoint.cluster.internal.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.snapshot.SnapshotFormatException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class PendingRepliesTest {
    @Test
    void aMemberLeaving_failsWhatItWasAsked_atOnce_andNothingElse() {
        PendingReplies replies = new PendingReplies();
        CompletableFuture<Object> fromA = new CompletableFuture<>();
        CompletableFuture<Object> fromB = new CompletableFuture<>();
        replies.register("a", fromA);
        long b = replies.register("b", fromB);

        replies.memberLeft("a");

        assertTrue(fromA.isCompletedExceptionally(), "the request to the member that left fails");
        assertFalse(fromB.isDone());
        replies.answered(new Messages.PartsStored(b, true, false, ""));
        assertTrue(fromB.isDone() && !fromB.isCompletedExceptionally());
        assertEquals(0, replies.waiting());
    }

    @Test
    void answers_sayWhetherAPartWasMissing_andAnUnknownIdIsIgnored() throws Exception {
        PendingReplies replies = new PendingReplies();
        CompletableFuture<Object> missing = new CompletableFuture<>();
        CompletableFuture<Object> failed = new CompletableFuture<>();
        long m = replies.register("a", missing);
        long f = replies.register("a", failed);
        replies.answered(new Messages.PartsStored(m + f + 1, true, false, "")); // nobody asked

        replies.answered(new Messages.PartsStored(m, false, true, "chunk 0 gone"));
        replies.answered(new Messages.PartsStored(f, false, false, "disk full"));

        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, missing::get);
        assertEquals(SnapshotFormatException.Reason.MISSING_PART, ((SnapshotFormatException) e.getCause()).reason());
        ExecutionException e2 = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, failed::get);
        assertEquals("disk full", e2.getCause().getMessage());
    }
}
