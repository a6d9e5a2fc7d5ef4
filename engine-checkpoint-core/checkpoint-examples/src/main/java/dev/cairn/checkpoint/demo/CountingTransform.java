package dev.cairn.checkpoint.demo;

import dev.cairn.checkpoint.api.Collector;
import dev.cairn.checkpoint.api.Transform;
import java.nio.ByteBuffer;

/**
 * Passes integers on, keeping a count and a sum of what it saw as its state: after any number of
 * restores they must equal those of the records the sink committed.
 */
final class CountingTransform implements Transform<Long, Long> {
    private long count;
    private long sum;

    @Override
    public void restore(byte[] state) {
        if (state != null) {
            ByteBuffer b = ByteBuffer.wrap(state);
            count = b.getLong();
            sum = b.getLong();
        }
    }

    @Override
    public void process(Long value, Collector<? super Long> out) throws InterruptedException {
        count++;
        sum += value;
        out.collect(value);
    }

    @Override
    public byte[] snapshot(long checkpointId) {
        return ByteBuffer.allocate(2 * Long.BYTES).putLong(count).putLong(sum).array();
    }
}
