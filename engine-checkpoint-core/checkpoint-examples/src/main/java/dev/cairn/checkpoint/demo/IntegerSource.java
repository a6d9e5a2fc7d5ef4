package dev.cairn.checkpoint.demo;

import dev.cairn.checkpoint.api.Collector;
import dev.cairn.checkpoint.api.Source;
import java.nio.ByteBuffer;

/**
 * Subtask {@code i} of {@code p} emits the integers {@code i, i + p, i + 2p, ...} below {@code
 * n}, at most {@code perSecond} a second when that is above 0 (it paces itself: a call that is
 * ahead of its pace emits nothing). Its state is the next integer to emit.
 */
final class IntegerSource implements Source<Long> {
    private final long step;
    private final long limit;
    private final double perSecond;
    private long next;
    /** Pacing, since this subtask started (or restored): not part of the state. */
    private long startedNanos;

    private long emitted;

    IntegerSource(int subtask, int parallelism, long records, double perSecond) {
        this.next = subtask;
        this.step = parallelism;
        this.limit = records;
        this.perSecond = perSecond;
    }

    @Override
    public void restore(byte[] state) {
        if (state != null) {
            next = ByteBuffer.wrap(state).getLong();
        }
    }

    @Override
    public boolean emit(Collector<? super Long> out, int max) throws InterruptedException {
        long allowed = max;
        if (perSecond > 0) {
            long now = System.nanoTime();
            if (startedNanos == 0) {
                startedNanos = now;
            }
            allowed = Math.min(max, (long) ((now - startedNanos) / 1e9 * perSecond) - emitted);
        }
        for (long i = 0; i < allowed && next < limit; i++) {
            out.collect(next);
            next += step;
            emitted++;
        }
        return next < limit;
    }

    @Override
    public byte[] snapshot(long checkpointId) {
        return ByteBuffer.allocate(Long.BYTES).putLong(next).array();
    }
}
