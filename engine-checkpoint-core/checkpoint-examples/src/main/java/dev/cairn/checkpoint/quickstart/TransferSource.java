package dev.cairn.checkpoint.quickstart;

import dev.cairn.checkpoint.api.Collector;
import dev.cairn.checkpoint.api.Source;
import java.nio.ByteBuffer;

// tag::source[]
/**
 * Subtask {@code s} of {@code p} reads transfers {@code s, s + p, s + 2p, ...} below {@code
 * count}, at most {@code perSecond} a second if that is above 0: a stand-in for a partition of a
 * Kafka topic that transfers arrive on. Its state is the id of the next transfer to read (the
 * topic offset): after a restore it reads again from there.
 */
final class TransferSource implements Source<Transfer> {
    private final int parallelism;
    private final long count;
    private final double perSecond;
    private long next;
    private long startedNanos; // pacing only: not state
    private long read;

    TransferSource(int subtask, int parallelism, long count, double perSecond) {
        this.parallelism = parallelism;
        this.count = count;
        this.perSecond = perSecond;
        this.next = subtask;
    }

    @Override
    public void restore(byte[] state) {
        if (state != null) {
            next = ByteBuffer.wrap(state).getLong();
        }
    }

    @Override
    public boolean emit(Collector<? super Transfer> out, int max) throws InterruptedException {
        long arrived = max;
        if (perSecond > 0) { // what has arrived on the topic by now
            startedNanos = startedNanos == 0 ? System.nanoTime() : startedNanos;
            arrived = Math.min(max, (long) ((System.nanoTime() - startedNanos) / 1e9 * perSecond) - read);
        }
        for (long i = 0; i < arrived && next < count; i++) {
            out.collect(new Transfer(next, "acct-" + next % 97, "acct-" + next % 89, 100 + next % 9_900));
            next += parallelism;
            read++;
        }
        return next < count; // false: this subtask has read everything
    }

    @Override
    public byte[] snapshot(long checkpointId) {
        return ByteBuffer.allocate(Long.BYTES).putLong(next).array();
    }
}
// end::source[]
