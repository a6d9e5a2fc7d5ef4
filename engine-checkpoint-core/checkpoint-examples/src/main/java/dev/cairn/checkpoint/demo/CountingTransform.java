package dev.cairn.checkpoint.demo;

import dev.cairn.checkpoint.api.Collector;
import dev.cairn.checkpoint.api.Transform;
import java.nio.ByteBuffer;

/**
 * Passes integers on, keeping a count and a sum of what it saw as its state: after any number of
 * restores they must equal those of the records the sink committed. Can be told to stall or to
 * fail once, in the first attempt, to exercise timeouts and failover.
 */
final class CountingTransform implements Transform {
    private final DemoJob.Faults faults;
    private long count;
    private long sum;

    CountingTransform(DemoJob.Faults faults) {
        this.faults = faults;
    }

    @Override
    public void restore(byte[] state) {
        if (state != null) {
            ByteBuffer b = ByteBuffer.wrap(state);
            count = b.getLong();
            sum = b.getLong();
        }
    }

    @Override
    public void process(Object record, Collector out) throws InterruptedException {
        long value = (Long) record;
        if (faults.failAtRecord() == value) {
            throw new IllegalStateException("injected failure at record " + value);
        }
        count++;
        sum += value;
        out.collect(record);
    }

    @Override
    public byte[] snapshot(long checkpointId) throws InterruptedException {
        if (faults.stallCheckpoint() == checkpointId) {
            Thread.sleep(faults.stallMillis());
        }
        return ByteBuffer.allocate(2 * Long.BYTES).putLong(count).putLong(sum).array();
    }
}
