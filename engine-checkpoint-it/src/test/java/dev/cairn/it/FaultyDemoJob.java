package dev.cairn.it;

import dev.cairn.checkpoint.api.Collector;
import dev.cairn.checkpoint.api.JobDefinition;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.PipelineDefinition;
import dev.cairn.checkpoint.api.Transform;
import dev.cairn.checkpoint.demo.DemoJob;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Job type {@code faulty-demo}: the demo job, whose transforms obey the test's {@link Faults}
 * (throw on a record, stall a snapshot past the timeout, pause mid-snapshot while a member dies)
 * and, in the pipeline's first execution attempt only, the parameters {@value #STALL_CHECKPOINT}
 * with {@value #STALL_MILLIS} (stall taking that checkpoint) and {@value #FAIL_AT_RECORD} (throw on
 * that record).
 */
public final class FaultyDemoJob implements JobDefinition {
    static final String TYPE = "faulty-demo";
    static final String STALL_CHECKPOINT = "fault.stall-checkpoint";
    static final String STALL_MILLIS = "fault.stall-millis";
    static final String FAIL_AT_RECORD = "fault.fail-at-record";
    private static final List<String> FAULTS = List.of(STALL_CHECKPOINT, STALL_MILLIS, FAIL_AT_RECORD);

    private final DemoJob demo = new DemoJob();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> validate(JobSpec spec) {
        return demo.validate(withoutFaults(spec));
    }

    @Override
    public String fingerprint(JobSpec spec) {
        return demo.fingerprint(withoutFaults(spec));
    }

    private static JobSpec withoutFaults(JobSpec spec) {
        Map<String, String> params = new HashMap<>(spec.params());
        FAULTS.forEach(params::remove);
        return new JobSpec(spec.jobId(), spec.type(), params);
    }

    @Override
    public List<PipelineDefinition> pipelines(JobSpec spec) {
        long stallCheckpoint = spec.longParam(STALL_CHECKPOINT, -1);
        long stallMillis = spec.longParam(STALL_MILLIS, 0);
        long failAtRecord = spec.longParam(FAIL_AT_RECORD, -1);
        return demo.pipelines(withoutFaults(spec)).stream()
                .map(p -> faulty(p, stallCheckpoint, stallMillis, failAtRecord))
                .toList();
    }

    private static PipelineDefinition faulty(
            PipelineDefinition pipeline, long stallCheckpoint, long stallMillis, long failAtRecord) {
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
                boolean first = attempt == 1;
                return new SubtaskOperators(
                        real.sources(),
                        real.transforms().stream()
                                .<Transform<?, ?>>map(t -> new FaultyTransform(
                                        t, first ? stallCheckpoint : -1, stallMillis, first ? failAtRecord : -1))
                                .toList(),
                        real.sink());
            }
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final class FaultyTransform implements Transform<Object, Object> {
        private final Transform<Object, Object> delegate;
        private final long stallCheckpoint;
        private final long stallMillis;
        private final long failAtRecord;

        FaultyTransform(Transform<?, ?> delegate, long stallCheckpoint, long stallMillis, long failAtRecord) {
            this.delegate = (Transform) delegate;
            this.stallCheckpoint = stallCheckpoint;
            this.stallMillis = stallMillis;
            this.failAtRecord = failAtRecord;
        }

        @Override
        public void restore(byte[] state) throws Exception {
            delegate.restore(state);
        }

        @Override
        public void process(Object record, Collector<? super Object> out) throws Exception {
            Faults.beforeRecord(record);
            if (record instanceof Long value && value == failAtRecord) {
                throw new IllegalStateException("injected failure at record " + value);
            }
            delegate.process(record, out);
        }

        @Override
        public byte[] snapshot(long checkpointId) throws Exception {
            Faults.beforeSnapshot();
            if (checkpointId == stallCheckpoint) {
                Thread.sleep(stallMillis);
            }
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
