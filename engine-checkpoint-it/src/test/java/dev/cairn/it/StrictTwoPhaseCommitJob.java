package dev.cairn.it;

import dev.cairn.checkpoint.api.Collector;
import dev.cairn.checkpoint.api.JobDefinition;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.PipelineDefinition;
import dev.cairn.checkpoint.api.Sink;
import dev.cairn.checkpoint.api.Source;
import dev.cairn.checkpoint.api.TaskContext;
import dev.cairn.checkpoint.api.Transform;
import dev.cairn.checkpoint.storage.api.JobId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Job type {@code strict-2pc}: what a job author with a plain two-phase-commit sink writes, the way
 * a Kafka transactional sink or a JDBC XA sink works. The integers 0 to {@code records} - 1 from
 * {@code parallelism} sources, through a transform that obeys the test's {@link Faults}, into a
 * sink that writes into a transaction of the {@link TransactionBroker} named {@code broker}:
 * prepare at the barrier, commit on {@code notifyCheckpointComplete}, commit the restored
 * checkpoint's transactions on restore. It never drops a replayed record and never aborts a
 * transaction it does not own: whatever the engine replays after a commit shows as a duplicate.
 */
public final class StrictTwoPhaseCommitJob implements JobDefinition {
    static final String TYPE = "strict-2pc";
    static final String RECORDS = "records";
    static final String PARALLELISM = "parallelism";
    static final String RATE = "rate";
    static final String BROKER = "broker";

    static JobSpec spec(String id, long records, int parallelism, long rate, String broker) {
        return new JobSpec(
                JobId.of(id),
                TYPE,
                Map.of(
                        RECORDS,
                        Long.toString(records),
                        PARALLELISM,
                        Integer.toString(parallelism),
                        RATE,
                        Long.toString(rate),
                        BROKER,
                        broker));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> validate(JobSpec spec) {
        return spec.param(BROKER, "").isBlank() ? List.of("broker: required") : List.of();
    }

    @Override
    public String fingerprint(JobSpec spec) {
        return TYPE + " records=" + spec.param(RECORDS, "0") + " parallelism=" + spec.param(PARALLELISM, "1");
    }

    @Override
    public List<PipelineDefinition> pipelines(JobSpec spec) {
        long records = spec.longParam(RECORDS, 0);
        int parallelism = (int) spec.longParam(PARALLELISM, 1);
        double rate = spec.longParam(RATE, 0);
        TransactionBroker broker = TransactionBroker.named(spec.param(BROKER, ""));
        String job = spec.jobId().value();
        return List.of(new PipelineDefinition() {
            @Override
            public String name() {
                return "1";
            }

            @Override
            public int parallelism() {
                return parallelism;
            }

            @Override
            public Shape shape() {
                return new Shape(1, 1);
            }

            @Override
            public SubtaskOperators create(int subtask, int attempt) {
                return SubtaskOperators.of(
                        new Integers(subtask, parallelism, records, rate / parallelism),
                        new PassThrough(),
                        new StrictSink(broker, job + "/1", subtask));
            }
        });
    }

    /**
     * Subtask {@code i} of {@code p} emits {@code i, i + p, ...} below {@code n}, at most {@code
     * perSecond} a second (pacing itself); its state is the next one.
     */
    private static final class Integers implements Source<Long> {
        private final long step;
        private final long limit;
        private final double perSecond;
        private long next;
        private long startedNanos;
        private long emitted;

        Integers(int subtask, int parallelism, long records, double perSecond) {
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
            long now = System.nanoTime();
            if (startedNanos == 0) {
                startedNanos = now;
            }
            long allowed =
                    perSecond <= 0 ? max : Math.min(max, (long) ((now - startedNanos) / 1e9 * perSecond) - emitted);
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

    /** Passes records on; obeys the test's faults (throw, stall, pause mid-snapshot). */
    private static final class PassThrough implements Transform<Long, Long> {
        @Override
        public void restore(byte[] state) {}

        @Override
        public void process(Long record, Collector<? super Long> out) throws Exception {
            Faults.beforeRecord(record);
            out.collect(record);
        }

        @Override
        public byte[] snapshot(long checkpointId) throws Exception {
            Faults.beforeSnapshot();
            return new byte[0];
        }
    }

    /**
     * The strict sink. Its state is the list of its prepared, uncommitted transactions with their
     * checkpoint ids; restore commits exactly those and leaves every other transaction alone.
     */
    private static final class StrictSink implements Sink<Long> {
        private record Pending(long checkpointId, String txn, long records) {}

        private final TransactionBroker broker;
        private final String pipeline;
        private final String prefix;
        private final List<Pending> pending = new ArrayList<>();
        private String open;
        private long openRecords;

        StrictSink(TransactionBroker broker, String pipeline, int subtask) {
            this.broker = broker;
            this.pipeline = pipeline;
            this.prefix = pipeline + "/" + subtask + "/";
        }

        @Override
        public void restore(byte[] state) {
            if (state == null) {
                return;
            }
            ByteBuffer b = ByteBuffer.wrap(state);
            int count = b.getInt();
            for (int i = 0; i < count; i++) {
                long id = b.getLong();
                byte[] name = new byte[b.getInt()];
                b.get(name);
                broker.commit(
                        new String(name, StandardCharsets.UTF_8),
                        TaskContext.current().epoch());
            }
        }

        @Override
        public void write(Long record) {
            if (open == null) {
                TaskContext context = TaskContext.current();
                open = prefix + "e" + context.epoch() + "-a" + context.attempt() + "-" + UUID.randomUUID();
                broker.open(open, pipeline, context.epoch());
            }
            broker.write(open, record);
            openRecords++;
        }

        @Override
        public byte[] snapshot(long checkpointId) {
            if (open != null) {
                broker.prepare(open, checkpointId);
                pending.add(new Pending(checkpointId, open, openRecords));
                open = null;
                openRecords = 0;
            }
            int size = Integer.BYTES;
            for (Pending p : pending) {
                size += Long.BYTES + Integer.BYTES + p.txn().length();
            }
            ByteBuffer b = ByteBuffer.allocate(size).putInt(pending.size());
            for (Pending p : pending) {
                byte[] name = p.txn().getBytes(StandardCharsets.UTF_8);
                b.putLong(p.checkpointId()).putInt(name.length).put(name);
            }
            return b.array();
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            for (var it = pending.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                if (p.checkpointId() <= checkpointId) {
                    broker.commit(p.txn(), TaskContext.current().epoch());
                    it.remove();
                }
            }
        }
    }
}
