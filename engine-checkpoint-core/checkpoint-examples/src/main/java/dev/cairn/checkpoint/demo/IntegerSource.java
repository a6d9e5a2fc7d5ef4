package dev.cairn.checkpoint.demo;

import dev.cairn.checkpoint.api.Collector;
import dev.cairn.checkpoint.api.Source;
import java.nio.ByteBuffer;

/**
 * Subtask {@code i} of {@code p} emits the integers {@code i, i + p, i + 2p, ...} below {@code
 * n}. Its state is the next integer to emit.
 */
final class IntegerSource implements Source {
    private final long step;
    private final long limit;
    private long next;

    IntegerSource(int subtask, int parallelism, long records) {
        this.next = subtask;
        this.step = parallelism;
        this.limit = records;
    }

    @Override
    public void restore(byte[] state) {
        if (state != null) {
            next = ByteBuffer.wrap(state).getLong();
        }
    }

    @Override
    public boolean emit(Collector out, int max) throws InterruptedException {
        for (int i = 0; i < max && next < limit; i++) {
            out.collect(next);
            next += step;
        }
        return next < limit;
    }

    @Override
    public byte[] snapshot(long checkpointId) {
        return ByteBuffer.allocate(Long.BYTES).putLong(next).array();
    }
}
