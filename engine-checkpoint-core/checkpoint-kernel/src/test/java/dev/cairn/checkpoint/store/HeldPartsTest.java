package dev.cairn.checkpoint.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.snapshot.PartCodec;
import dev.cairn.checkpoint.snapshot.StateHandle;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a member keeps of the parts it put, for it to store them, and when it lets them go. */
class HeldPartsTest {
    private static final PipelineKey A = PipelineKey.of("job-a", "1");
    private static final PipelineKey B = PipelineKey.of("job-b", "1");

    private static PartCodec.Framed part(PipelineKey pipeline, long id, String task, int size) {
        return PartCodec.frame(pipeline, id, task, new byte[size]);
    }

    private static StateHandle handle(PartCodec.Framed part) {
        return part.handle(1 << 20, new int[StateHandle.chunks(part.size(), 1 << 20)], "me");
    }

    @Test
    void aPartIsTakenOnce_andOnlyByTheHandleThatNamesIt() {
        HeldParts held = new HeldParts(1 << 20);
        PartCodec.Framed part = part(A, 5, "sink-0", 1000);
        held.hold(A, 5, "sink-0", part);

        PartCodec.Framed other = part(A, 5, "sink-0", 999); // the same task and id, other bytes
        assertTrue(held.take(A, 5, "sink-0", handle(other)).isEmpty(), "a handle of other bytes");
        assertTrue(held.take(A, 5, "sink-1", handle(part)).isEmpty(), "another task");
        assertTrue(held.take(A, 6, "sink-0", handle(part)).isEmpty(), "another checkpoint");
        assertSame(part, held.take(A, 5, "sink-0", handle(part)).orElseThrow());
        assertTrue(held.take(A, 5, "sink-0", handle(part)).isEmpty(), "taken already");
        assertEquals(0, held.bytes());
    }

    @Test
    void onlyThePartsOfEachPipelinesTwoNewestCheckpointsAreHeld() {
        HeldParts held = new HeldParts(1 << 20);
        PartCodec.Framed a3 = part(A, 3, "sink-0", 100);
        PartCodec.Framed a5 = part(A, 5, "sink-0", 100);
        PartCodec.Framed a9 = part(A, 9, "sink-0", 100);
        PartCodec.Framed b1 = part(B, 1, "sink-0", 100);
        held.hold(A, 3, "sink-0", a3);
        held.hold(B, 1, "sink-0", b1);
        held.hold(A, 5, "sink-0", a5);
        held.hold(A, 9, "sink-0", a9);
        held.hold(A, 4, "sink-1", part(A, 4, "sink-1", 100)); // older than both held: not kept

        assertTrue(held.take(A, 3, "sink-0", handle(a3)).isEmpty(), "checkpoint 9 pushed 3 out");
        assertTrue(held.take(A, 4, "sink-1", handle(part(A, 4, "sink-1", 100))).isEmpty());
        assertSame(a5, held.take(A, 5, "sink-0", handle(a5)).orElseThrow());
        assertSame(a9, held.take(A, 9, "sink-0", handle(a9)).orElseThrow());
        assertSame(b1, held.take(B, 1, "sink-0", handle(b1)).orElseThrow(), "another pipeline's stay");
    }

    @Test
    void theOldestGoFirst_whenTheBudgetIsSpent_andAPartLargerThanItIsNeverHeld() {
        HeldParts held = new HeldParts(2500);
        PartCodec.Framed first = part(A, 1, "sink-0", 1000);
        PartCodec.Framed second = part(B, 1, "sink-0", 1000);
        PartCodec.Framed third = part(B, 1, "sink-1", 1000);
        held.hold(A, 1, "sink-0", first);
        held.hold(B, 1, "sink-0", second);
        held.hold(B, 1, "sink-1", third);
        held.hold(B, 1, "sink-2", part(B, 1, "sink-2", 3000));

        assertTrue(held.bytes() <= 2500, "" + held.bytes());
        assertTrue(held.take(A, 1, "sink-0", handle(first)).isEmpty(), "the oldest went");
        assertSame(second, held.take(B, 1, "sink-0", handle(second)).orElseThrow());
        assertSame(third, held.take(B, 1, "sink-1", handle(third)).orElseThrow());
        assertEquals(0, held.bytes(), "the part over budget was not held");
    }

    @Test
    void partsHeldTooLong_andThoseOfAForgottenPipeline_go() {
        HeldParts held = new HeldParts(1 << 20);
        held.hold(A, 1, "sink-0", part(A, 1, "sink-0", 100));
        held.hold(B, 1, "sink-0", part(B, 1, "sink-0", 100));

        held.expire(Duration.ofMinutes(1));
        assertTrue(held.bytes() > 0, "not yet");
        held.forget(A);
        PartCodec.Framed b = part(B, 1, "sink-0", 100);
        assertTrue(held.take(A, 1, "sink-0", handle(part(A, 1, "sink-0", 100))).isEmpty());
        held.expire(Duration.ZERO);
        assertTrue(held.take(B, 1, "sink-0", handle(b)).isEmpty(), "expired");
        assertEquals(0, held.bytes());
    }
}
