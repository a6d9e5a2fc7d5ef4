package dev.cairn.checkpoint.runtime;

import dev.cairn.checkpoint.api.Collector;
import dev.cairn.checkpoint.api.Source;

/**
 * Runs a {@link Source}: emits records in batches (paced to {@code recordsPerSecond} when one is
 * set) and, on a trigger, snapshots the source and emits the barrier. Once the source is exhausted
 * it reports so and stays to take part in checkpoints, the last of which commits its tail.
 */
final class SourceTask extends Task {
    private static final int BATCH = 256;

    private final Source source;
    private final double recordsPerSecond;
    private final Collector collector = this::emit;

    SourceTask(String id, Source source, byte[] restored, Channel output, TaskEvents events, double recordsPerSecond) {
        super(id, source, restored, new Signal(), output, events);
        this.source = source;
        this.recordsPerSecond = recordsPerSecond;
    }

    @Override
    void loop() throws Exception {
        boolean exhausted = false;
        long started = System.nanoTime();
        long emitted = 0;
        while (!stopped) {
            drainInbox();
            if (exhausted) {
                signal.await(100);
                continue;
            }
            int allowed = BATCH;
            if (recordsPerSecond > 0) {
                long due = (long) ((System.nanoTime() - started) / 1e9 * recordsPerSecond) - emitted;
                if (due <= 0) {
                    signal.await(Math.max(1, (long) (1000 / recordsPerSecond)));
                    continue;
                }
                allowed = (int) Math.min(BATCH, due);
            }
            CountingCollector counting = new CountingCollector(collector);
            exhausted = !source.emit(counting, allowed);
            emitted += counting.count;
            if (exhausted) {
                events.sourceFinished(id);
            }
        }
    }

    @Override
    void onTrigger(Trigger trigger) throws Exception {
        checkpoint(new Barrier(trigger.checkpointId(), trigger.finalCheckpoint()));
    }

    private static final class CountingCollector implements Collector {
        private final Collector delegate;
        long count;

        CountingCollector(Collector delegate) {
            this.delegate = delegate;
        }

        @Override
        public void collect(Object record) throws InterruptedException {
            delegate.collect(record);
            count++;
        }
    }
}
