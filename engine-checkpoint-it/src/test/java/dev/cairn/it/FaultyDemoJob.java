package dev.cairn.it;

import dev.cairn.checkpoint.api.Collector;
import dev.cairn.checkpoint.api.JobDefinition;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.PipelineDefinition;
import dev.cairn.checkpoint.api.Transform;
import dev.cairn.checkpoint.demo.DemoJob;
import java.util.List;

/**
 * Job type {@code faulty-demo}: the demo job, whose transforms obey the test's {@link Faults}:
 * throw on a record, stall a snapshot past the timeout, or pause mid-snapshot while a member dies.
 */
public final class FaultyDemoJob implements JobDefinition {
    static final String TYPE = "faulty-demo";
    private final DemoJob demo = new DemoJob();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> validate(JobSpec spec) {
        return demo.validate(spec);
    }

    @Override
    public String fingerprint(JobSpec spec) {
        return demo.fingerprint(spec);
    }

    @Override
    public List<PipelineDefinition> pipelines(JobSpec spec) {
        return demo.pipelines(spec).stream().map(FaultyDemoJob::faulty).toList();
    }

    private static PipelineDefinition faulty(PipelineDefinition pipeline) {
        return new PipelineDefinition() {
            @Override
            public String name() {
                return pipeline.name();
            }

            @Override
            public int parallelism() {
                return pipeline.parallelism();
            }

            @Override
            public Shape shape() {
                return pipeline.shape();
            }

            @Override
            public SubtaskOperators create(int subtask, int attempt) throws Exception {
                SubtaskOperators real = pipeline.create(subtask, attempt);
                return new SubtaskOperators(
                        real.sources(),
                        real.transforms().stream()
                                .map(t -> (Transform) new FaultyTransform(t))
                                .toList(),
                        real.sink(),
                        real.recordsPerSecondPerSource());
            }
        };
    }

    private static final class FaultyTransform implements Transform {
        private final Transform delegate;

        FaultyTransform(Transform delegate) {
            this.delegate = delegate;
        }

        @Override
        public void restore(byte[] state) throws Exception {
            delegate.restore(state);
        }

        @Override
        public void process(Object record, Collector out) throws Exception {
            Faults.beforeRecord(record);
            delegate.process(record, out);
        }

        @Override
        public byte[] snapshot(long checkpointId) throws Exception {
            Faults.beforeSnapshot();
            return delegate.snapshot(checkpointId);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            delegate.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) throws Exception {
            delegate.notifyCheckpointAborted(checkpointId);
        }

        @Override
        public void close() throws Exception {
            delegate.close();
        }
    }
}
