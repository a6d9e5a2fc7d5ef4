package dev.cairn.checkpoint.runtime;

import dev.cairn.checkpoint.api.Collector;
import dev.cairn.checkpoint.api.Source;

/**
 * Runs a {@link Source}: emits records in batches and, on a trigger, snapshots the source and emits
 * the barrier. A source that paces itself returns with nothing emitted; it is called again a few
 * milliseconds later, or at once when a trigger comes. Once the source is exhausted
 * it reports so and stays to take part in checkpoints, the last of which commits its tail.
 */
final class SourceTask extends Task {
    private static final int BATCH = 256;
    /** How long a source that emitted nothing (it is ahead of its own pace) is left alone. */
    private static final long IDLE_MILLIS = 5;

    private final Source<Object> source;
    private final Collector<Object> collector = this::emit;

    @SuppressWarnings("unchecked")
    SourceTask(String id, Source<?> source, byte[] restored, Channel output, TaskEvents events) {
        super(id, source, restored, new Signal(), output, events);
        this.source = (Source<Object>) source;
    }

    @Override
    void loop() throws Exception {
        boolean exhausted = false;
        while (!stopped) {
            drainInbox();
            if (exhausted) {
                signal.await(100);
                continue;
            }
            CountingCollector counting = new CountingCollector(collector);
            exhausted = !source.emit(counting, BATCH);
            if (exhausted) {
                events.sourceFinished(id);
            } else if (counting.count == 0) {
                signal.await(IDLE_MILLIS); // a trigger wakes it at once
            }
        }
    }

    @Override
    void onTrigger(Trigger trigger) throws Exception {
        checkpoint(new Barrier(trigger.checkpointId(), trigger.finalCheckpoint()));
    }

    private static final class CountingCollector implements Collector<Object> {
        private final Collector<Object> delegate;
        long count;

        CountingCollector(Collector<Object> delegate) {
            this.delegate = delegate;
        }

        @Override
        public void collect(Object record) throws InterruptedException {
            delegate.collect(record);
            count++;
        }
    }
}
