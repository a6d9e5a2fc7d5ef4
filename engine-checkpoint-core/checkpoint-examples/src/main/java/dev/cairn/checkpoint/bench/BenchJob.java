package dev.cairn.checkpoint.bench;

import dev.cairn.checkpoint.api.Collector;
import dev.cairn.checkpoint.api.JobDefinition;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.PipelineDefinition;
import dev.cairn.checkpoint.api.Sink;
import dev.cairn.checkpoint.api.Source;
import dev.cairn.checkpoint.api.Transform;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Job type {@code cairn-bench}: an endless, paced stream of numbers through a transform that
 * holds {@code state-bytes} of state per subtask (touched by every record, copied whole into
 * every snapshot, as a heap state backend would), into a sink that counts. For {@code cairn bench
 * checkpoint}; runs until cancelled.
 */
public final class BenchJob implements JobDefinition {
    public static final String TYPE = "cairn-bench";
    public static final String PARALLELISM = "parallelism";
    public static final String STATE_BYTES = "state-bytes";
    public static final String RATE = "rate";
    /** Pipelines of the job, each {@code parallelism} wide, named {@code 1}, {@code 2}, ... */
    public static final String PIPELINES = "pipelines";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> validate(JobSpec spec) {
        return List.of();
    }

    @Override
    public String fingerprint(JobSpec spec) {
        return TYPE + " " + spec.params();
    }

    /**
     * When each sink heard of each commit, by job and subtask: checkpoint id to epoch millis. The
     * benchmark runs its members in its own JVM and reads this to time barrier-to-commit.
     */
    public static final Map<String, Map<Integer, NavigableMap<Long, Long>>> COMMITS = new ConcurrentHashMap<>();

    /** Jobs (by commits key) whose sources throw once, at their next call: the benchmark fails a task so. */
    public static final Set<String> FAIL_ONCE = ConcurrentHashMap.newKeySet();

    /**
     * When each stateful subtask of a job last restored a state, by commits key and subtask: epoch
     * millis. The benchmark times restores by it.
     */
    public static final Map<String, Map<Integer, Long>> RESTORED = new ConcurrentHashMap<>();

    /**
     * When checkpoint {@code id}'s records were committed by every sink: each sink commits every
     * transaction up to the id it is told of, so for each sink the first commit at or above {@code
     * id}; the latest of those. -1 if some sink has not committed it yet.
     */
    public static long committedAt(String job, long id) {
        Map<Integer, NavigableMap<Long, Long>> sinks = COMMITS.getOrDefault(job, Map.of());
        if (sinks.isEmpty()) {
            return -1;
        }
        long latest = -1;
        for (NavigableMap<Long, Long> commits : sinks.values()) {
            Map.Entry<Long, Long> first = commits.ceilingEntry(id);
            if (first == null) {
                return -1;
            }
            latest = Math.max(latest, first.getValue());
        }
        return latest;
    }

    @Override
    public List<PipelineDefinition> pipelines(JobSpec spec) {
        String job = spec.jobId().value();
        int parallelism = (int) spec.longParam(PARALLELISM, 1);
        int stateBytes = (int) spec.longParam(STATE_BYTES, 4096);
        double rate = spec.longParam(RATE, 1000);
        int pipelines = (int) spec.longParam(PIPELINES, 1);
        List<PipelineDefinition> all = new java.util.ArrayList<>();
        for (int p = 1; p <= pipelines; p++) {
            all.add(pipeline(job + (p == 1 ? "" : "/" + p), Integer.toString(p), parallelism, stateBytes, rate));
        }
        return all;
    }

    private static PipelineDefinition pipeline(
            String commitsKey, String name, int parallelism, int stateBytes, double rate) {
        String job = commitsKey; // pipeline 1 keeps the job's own key: committedAt(job, id) reads it
        return new PipelineDefinition() {
            @Override
            public String name() {
                return name;
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
                        new Numbers(job, rate / parallelism),
                        new Stateful(job, stateBytes, subtask),
                        new Counter(job, subtask));
            }
        };
    }

    /** Counts up, at most {@code perSecond} a second (pacing itself). */
    private static final class Numbers implements Source<Long> {
        private final String job;
        private final double perSecond;
        private long next;
        private long startedNanos;
        private long emitted;

        Numbers(String job, double perSecond) {
            this.job = job;
            this.perSecond = perSecond;
        }

        @Override
        public void restore(byte[] state) {
            next = state == null ? 0 : ByteBuffer.wrap(state).getLong();
        }

        @Override
        public boolean emit(Collector<? super Long> out, int max) throws InterruptedException {
            if (FAIL_ONCE.remove(job)) {
                throw new IllegalStateException("the benchmark fails this task to time a restore");
            }
            long now = System.nanoTime();
            if (startedNanos == 0) {
                startedNanos = now;
            }
            long allowed =
                    perSecond <= 0 ? max : Math.min(max, (long) ((now - startedNanos) / 1e9 * perSecond) - emitted);
            for (long i = 0; i < allowed; i++) {
                out.collect(next++);
                emitted++;
            }
            return true;
        }

        @Override
        public byte[] snapshot(long checkpointId) {
            return ByteBuffer.allocate(Long.BYTES).putLong(next).array();
        }
    }

    private static final class Stateful implements Transform<Long, Long> {
        private final String job;
        private final int subtask;
        private byte[] state;

        Stateful(String job, int bytes, int subtask) {
            this.job = job;
            this.subtask = subtask;
            state = new byte[bytes];
            new Random(subtask).nextBytes(state);
        }

        @Override
        public void restore(byte[] restored) {
            if (restored != null) {
                state = restored;
                RESTORED.computeIfAbsent(job, j -> new ConcurrentHashMap<>()).put(subtask, System.currentTimeMillis());
            }
        }

        @Override
        public void process(Long value, Collector<? super Long> out) throws InterruptedException {
            state[(int) (value % state.length)] ^= 1;
            out.collect(value);
        }

        @Override
        public byte[] snapshot(long checkpointId) {
            return Arrays.copyOf(state, state.length);
        }
    }

    /** Drops records; remembers when it heard of each commit, for the benchmark. */
    private static final class Counter implements Sink<Long> {
        private final NavigableMap<Long, Long> commits;

        Counter(String job, int subtask) {
            this.commits = COMMITS.computeIfAbsent(job, j -> new ConcurrentHashMap<>())
                    .computeIfAbsent(subtask, s -> new ConcurrentSkipListMap<>());
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            commits.putIfAbsent(checkpointId, System.currentTimeMillis());
        }

        @Override
        public void restore(byte[] state) {}

        @Override
        public void write(Long record) {}

        @Override
        public byte[] snapshot(long checkpointId) {
            return new byte[0];
        }
    }
}
