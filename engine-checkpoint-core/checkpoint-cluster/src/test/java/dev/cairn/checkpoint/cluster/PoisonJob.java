package dev.cairn.checkpoint.cluster;

import dev.cairn.checkpoint.api.Collector;
import dev.cairn.checkpoint.api.JobDefinition;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.PipelineDefinition;
import dev.cairn.checkpoint.api.Sink;
import dev.cairn.checkpoint.api.Source;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Job type {@code poison}: one subtask whose source emits {@code records} numbers and whose sink
 * throws on the number {@code poison}, every time: a bad record. With {@code step}, attempt n
 * throws on {@code poison + (n - 1) * step} instead (a failure after progress), and with {@code
 * failing} only the first that many attempts throw. Counts the subtask's attempts and when each began.
 */
public final class PoisonJob implements JobDefinition {
    static final String TYPE = "poison";
    /** Subtasks created, in this JVM, per job id. */
    static final java.util.Map<String, AtomicInteger> ATTEMPTS = new java.util.concurrent.ConcurrentHashMap<>();
    /** When each subtask was created (System.nanoTime), per job id. */
    static final java.util.Map<String, List<Long>> STARTED = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> validate(JobSpec spec) {
        List<String> problems = new ArrayList<>();
        if (spec.longParam("records", -1) < 1) {
            problems.add("records: a positive number of records is needed");
        }
        if (spec.longParam("poison", -1) < 0) {
            problems.add("poison: the record to fail on is needed");
        }
        return problems;
    }

    @Override
    public String fingerprint(JobSpec spec) {
        return TYPE + ":" + spec.params().get("records");
    }

    @Override
    public List<PipelineDefinition> pipelines(JobSpec spec) {
        long records = spec.longParam("records", 0);
        long poison = spec.longParam("poison", 0);
        long step = spec.longParam("step", 0);
        long failing = spec.longParam("failing", Long.MAX_VALUE);
        String name = spec.params().getOrDefault("pipeline", "1");
        AtomicInteger attempts = ATTEMPTS.computeIfAbsent(spec.jobId().value(), k -> new AtomicInteger());
        List<Long> started = STARTED.computeIfAbsent(
                spec.jobId().value(), k -> java.util.Collections.synchronizedList(new ArrayList<>()));
        return List.of(new PipelineDefinition() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int parallelism() {
                return 1;
            }

            @Override
            public Shape shape() {
                return new Shape(1, 0);
            }

            @Override
            public SubtaskOperators create(int subtask, int attempt) {
                started.add(System.nanoTime());
                int n = attempts.incrementAndGet();
                long bad = n <= failing ? poison + (n - 1) * step : -1;
                return SubtaskOperators.of(new Numbers(records), new Sink<Long>() {
                    @Override
                    public void write(Long record) {
                        if (record == bad) {
                            throw new IllegalArgumentException("bad record " + record);
                        }
                    }

                    @Override
                    public void restore(byte[] state) {}

                    @Override
                    public byte[] snapshot(long checkpointId) {
                        return new byte[0];
                    }
                });
            }
        });
    }

    /** 0 to {@code records - 1}, a few at a time; its state is the next number. */
    static final class Numbers implements Source<Long> {
        private final long records;
        private long next;

        Numbers(long records) {
            this.records = records;
        }

        @Override
        public boolean emit(Collector<? super Long> out, int max) throws InterruptedException {
            for (int i = 0; i < Math.min(max, 10) && next < records; i++) {
                out.collect(next++);
            }
            Thread.sleep(1);
            return next < records;
        }

        @Override
        public void restore(byte[] state) {
            next = state == null ? 0 : ByteBuffer.wrap(state).getLong();
        }

        @Override
        public byte[] snapshot(long checkpointId) {
            return ByteBuffer.allocate(8).putLong(next).array();
        }
    }
}
