package dev.cairn.cli;

import com.hazelcast.map.IMap;
import dev.cairn.checkpoint.api.CheckpointStats;
import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.config.CheckpointConfig;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.bench.BenchJob;
import dev.cairn.checkpoint.cluster.CairnMember;
import dev.cairn.checkpoint.cluster.InProcessCluster;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.ForwardingCheckpointStorage;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintWriter;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Checkpoint benchmarks, each next to a baseline measured in the same run: latency of small
 * checkpoints (local mode and a 3-member cluster), large state against a raw IMap put of the same
 * bytes, small checkpoints with a storage 500 ms slow against a fast one (flushing is
 * asynchronous), and the snapshot codec against Java serialization. Members run in this process;
 * storage is the configured one.
 */
@Command(
        name = "checkpoint",
        mixinStandardHelpOptions = true,
        description = "Checkpoint latency, large-state throughput, slow-storage isolation and codec speed.")
final class CheckpointBench implements Callable<Integer> {
    private static final int MIB = 1 << 20;

    @Mixin
    ConfigOption config;

    @Option(
            names = "--seconds",
            defaultValue = "15",
            description = "Measuring time per latency run (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--skip-large", description = "Skip the 4 x 64 MiB runs (they need about 3 GB of heap)")
    boolean skipLarge;

    @Option(
            names = "--only",
            paramLabel = "PART",
            description = "Run one part: latency, large, slow-storage, codec, scaling or restore (default: all but"
                    + " scaling and restore)")
    String only;

    @Option(
            names = "--parallelism",
            split = ",",
            defaultValue = "4,16",
            description = "scaling, restore: subtasks per pipeline, one run each (default ${DEFAULT-VALUE})")
    List<Integer> parallelism;

    @Option(
            names = "--state-per-task",
            defaultValue = "32MiB",
            description = "scaling, restore: state bytes per subtask, e.g. 4KiB, 32MiB (default ${DEFAULT-VALUE})")
    String statePerTask;

    @Option(
            names = "--members",
            split = ",",
            defaultValue = "1,3",
            description = "scaling, restore: cluster sizes, one run each (default ${DEFAULT-VALUE})")
    List<Integer> members;

    @Option(
            names = "--pipelines",
            split = ",",
            defaultValue = "1",
            description = "scaling: pipelines per job, one run each (default ${DEFAULT-VALUE})")
    List<Integer> pipelines;

    @Option(
            names = "--backup-count",
            defaultValue = "1",
            description = "scaling, restore: backup-count of the cluster's maps (default ${DEFAULT-VALUE})")
    int backupCount;

    @Option(
            names = "--checkpoints",
            defaultValue = "6",
            description = "scaling: checkpoints measured per run, after one to warm up (default ${DEFAULT-VALUE})")
    int checkpoints;

    private boolean runs(String part) {
        return only == null || only.equals(part);
    }

    @Spec
    CommandSpec spec;

    private PrintWriter out;
    private PrintWriter err;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        EngineConfig base = config.load();
        out.println("storage: " + base.checkpoint().storage().type() + " "
                + base.checkpoint().storage().maskedPluginConfig());

        EngineConfig small = withCheckpoints(base, 100, 30_000);
        // The fast local run is the baseline of the slow-storage run too: measured once.
        Latency local = runs("latency") || runs("slow-storage")
                ? latency("local (1 member)", small, 1, UnaryOperator.identity())
                : null;
        if (runs("latency")) {
            Latency cluster = latency("cluster (3 members)", small, 3, UnaryOperator.identity());
            out.printf("%nCheckpoint latency, trigger to complete; 16 subtasks x 4 KiB state, interval 100 ms:%n");
            out.printf("  %-22s %12s %8s %8s%n", "mode", "checkpoints", "p50 ms", "p99 ms");
            for (Latency l : List.of(local, cluster)) {
                out.printf("  %-22s %12d %8d %8d%n", l.label, l.count, l.p50, l.p99);
            }
            out.flush();
        }
        if (runs("large") && !skipLarge) {
            large(withCheckpoints(base, 2_000, 120_000));
        }
        if (runs("slow-storage")) {
            slowStorage(small, local);
        }
        if (runs("codec")) {
            codec();
        }
        if ("scaling".equals(only)) {
            new ScalingBench(out, err, base, backupCount, checkpoints)
                    .run(members, parallelism, pipelines, ScalingBench.bytes(statePerTask));
        }
        if ("restore".equals(only)) {
            ScalingBench restores = new ScalingBench(out, err, base, backupCount, checkpoints);
            for (int m : members) {
                for (int p : parallelism) {
                    restores.restore(m, p, ScalingBench.bytes(statePerTask));
                }
            }
        }
        return 0;
    }

    private void large(EngineConfig large) throws Exception {
        out.printf("%nLarge state, 4 subtasks x 64 MiB, against a raw IMap put of the same 256 MiB:%n");
        out.printf(
                "  %-22s %14s %9s %12s %9s %7s%n", "mode", "checkpoint ms", "MB/s", "raw put ms", "raw MB/s", "ratio");
        for (int members : new int[] {1, 3}) {
            Throughput t = large(large, members);
            out.printf(
                    Locale.ROOT,
                    "  %-22s %14d %9.0f %12d %9.0f %7.2f%n",
                    t.label,
                    t.checkpointMillis,
                    t.checkpointMbps(),
                    t.rawMillis,
                    t.rawMbps(),
                    t.checkpointMbps() / t.rawMbps());
            out.flush();
        }
    }

    private void slowStorage(EngineConfig small, Latency local) throws Exception {
        Latency slow = latency("storage +500 ms/write", small, 1, SlowStorage::new);
        out.printf(
                "%nCompleted vs committed, the same small-state job in local mode, storage as configured and 500 ms"
                        + " slower per write (commit-after: %s):%n",
                small.checkpoint().commitAfter().yamlName());
        out.printf(
                "  %-22s %12s %14s %14s %14s %14s%n",
                "storage", "checkpoints", "complete p50", "complete p99", "commit p50", "commit p99");
        for (Latency l : List.of(local, slow)) {
            out.printf(
                    "  %-22s %12d %11d ms %11d ms %11d ms %11d ms%n",
                    l == local ? "fast (as configured)" : l.label, l.count, l.p50, l.p99, l.commitP50, l.commitP99);
        }
        out.printf(
                Locale.ROOT,
                "  completion slow/fast: p50 %.2f, p99 %.2f (target <= 1.2: completion never waits for storage)%n",
                (double) slow.p50 / Math.max(1, local.p50),
                (double) slow.p99 / Math.max(1, local.p99));
        out.printf(
                Locale.ROOT,
                "  commit slow - fast: p50 %d ms, p99 %d ms (one store write is 500 ms more: writes overlap, so"
                        + " commits trail completion by about one write, not a queue of them)%n",
                slow.commitP50 - local.commitP50,
                slow.commitP99 - local.commitP99);
        out.flush();
    }

    // ---------------------------------------------------------------- latency

    /** Trigger-to-complete and trigger-to-commit (every sink committed it) percentiles, in ms. */
    private record Latency(String label, int count, long p50, long p99, long commitP50, long commitP99) {}

    private Latency latency(String label, EngineConfig engine, int members, UnaryOperator<CheckpointStorage> decorator)
            throws Exception {
        err.printf("measuring latency: %s, %d s ...%n", label, seconds + 3);
        err.flush();
        JobSpec job = benchJob("bench-latency-" + members, 16, 4096, 16_000);
        String id = job.jobId().value();
        Map<Long, CheckpointStats> seen = new TreeMap<>();
        Map<Long, Long> committed = new TreeMap<>();
        try (Members cluster = Members.start(engine, members, decorator)) {
            cluster.submit(job);
            long measureFrom = System.currentTimeMillis() + 3_000;
            long until = measureFrom + seconds * 1000L;
            // Checkpoints triggered in the window; their commits may come a little after it.
            while (System.currentTimeMillis() < until + 3_000) {
                Thread.sleep(500);
                for (CheckpointStats s : cluster.history(job)) {
                    if (s.completed() && s.triggeredAt() >= measureFrom && s.triggeredAt() < until) {
                        seen.put(s.id(), s);
                        long at = BenchJob.committedAt(id, s.id());
                        if (at >= 0) {
                            committed.put(s.id(), at - s.triggeredAt());
                        }
                    }
                }
            }
            cluster.cancel(job);
        } finally {
            BenchJob.COMMITS.remove(id);
        }
        List<Long> durations = new ArrayList<>(
                seen.values().stream().map(CheckpointStats::durationMillis).toList());
        durations.sort(null);
        List<Long> commits = new ArrayList<>(committed.values());
        commits.sort(null);
        return new Latency(
                label,
                durations.size(),
                percentile(durations, 0.50),
                percentile(durations, 0.99),
                percentile(commits, 0.50),
                percentile(commits, 0.99));
    }

    static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    // ---------------------------------------------------------------- large state

    private record Throughput(String label, long bytes, long checkpointMillis, long rawMillis) {
        double checkpointMbps() {
            return bytes / 1e6 / (checkpointMillis / 1e3);
        }

        double rawMbps() {
            return bytes / 1e6 / (rawMillis / 1e3);
        }
    }

    private Throughput large(EngineConfig engine, int members) throws Exception {
        String label = members == 1 ? "local (1 member)" : "cluster (" + members + " members)";
        err.printf("measuring large state: %s ...%n", label);
        err.flush();
        JobSpec job = benchJob("bench-large-" + members, 4, 64 * MIB, 400);
        long bytes = 4L * 64 * MIB;
        try (Members cluster = Members.start(engine, members, UnaryOperator.identity())) {
            // The raw baseline both before the job and after it, so that neither side alone
            // carries the state of the JVM (heap, JIT) at one moment.
            List<Long> puts = new ArrayList<>(rawPuts(cluster, bytes));
            cluster.submit(job);
            Map<Long, CheckpointStats> seen = new TreeMap<>();
            long deadline = System.currentTimeMillis() + 180_000;
            while (seen.size() < 5 && System.currentTimeMillis() < deadline) {
                Thread.sleep(500);
                for (CheckpointStats s : cluster.history(job)) {
                    if (s.completed()) {
                        seen.put(s.id(), s);
                    }
                }
            }
            cluster.cancel(job);
            List<Long> durations = new ArrayList<>();
            seen.values().stream().skip(1).forEach(s -> durations.add(s.durationMillis())); // the first warms up
            durations.sort(null);
            Thread.sleep(1_000); // let the last flush finish
            puts.addAll(rawPuts(cluster, bytes));
            puts.sort(null);
            return new Throughput(label, bytes, percentile(durations, 0.5), Math.max(1, percentile(puts, 0.5)));
        }
    }

    /**
     * Times three {@code IMap.set}s of {@code bytes} as one value, after one to warm up: each under
     * a key of its own, as a checkpoint's are, deleted after it.
     */
    static List<Long> rawPuts(Members cluster, long bytes) {
        IMap<String, byte[]> raw = cluster.any().hazelcast().getMap("cairn.bench.baseline");
        byte[] blob = new byte[(int) bytes];
        new Random(1).nextBytes(blob);
        List<Long> puts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            long t0 = System.nanoTime();
            raw.set("state-" + i, blob);
            puts.add((System.nanoTime() - t0) / 1_000_000);
            raw.delete("state-" + i);
        }
        raw.destroy();
        return new ArrayList<>(puts.subList(1, puts.size()));
    }

    // ---------------------------------------------------------------- codec

    /** The same snapshot, as Java serialization would carry it. */
    private record JavaSnapshot(
            String job,
            String pipeline,
            long id,
            String type,
            long triggeredAt,
            long completedAt,
            LinkedHashMap<String, byte[]> states,
            HashMap<String, String> metadata)
            implements Serializable {}

    private void codec() throws Exception {
        err.println("measuring the codec ...");
        err.flush();
        List<TaskState> states = new ArrayList<>();
        LinkedHashMap<String, byte[]> javaStates = new LinkedHashMap<>();
        Random random = new Random(7);
        for (int i = 0; i < 16; i++) {
            byte[] state = new byte[MIB];
            random.nextBytes(state);
            states.add(new TaskState("task-" + i, state));
            javaStates.put("task-" + i, state);
        }
        CompletedCheckpoint checkpoint = new CompletedCheckpoint(
                PipelineKey.of("job", "1"),
                CheckpointId.of(9),
                CheckpointType.CHECKPOINT,
                1,
                2,
                states,
                Map.of("attempt", "1"));
        JavaSnapshot java =
                new JavaSnapshot("job", "1", 9, "CHECKPOINT", 1, 2, javaStates, new HashMap<>(Map.of("attempt", "1")));
        long stateBytes = 16L * MIB;

        byte[] kryoBlob = SnapshotCodec.encode(checkpoint);
        double kryoEncode = rate(stateBytes, () -> SnapshotCodec.encode(checkpoint));
        double kryoDecode = rate(stateBytes, () -> SnapshotCodec.decode(kryoBlob));
        byte[] javaBlob = javaEncode(java);
        double javaEncode = rate(stateBytes, () -> javaEncode(java));
        double javaDecode = rate(stateBytes, () -> javaDecode(javaBlob));

        out.printf("%nSnapshot codec, 16 tasks x 1 MiB of state (MB of state per second):%n");
        out.printf("  %-30s %12s %12s %12s%n", "serializer", "encode MB/s", "decode MB/s", "blob bytes");
        out.printf(
                Locale.ROOT,
                "  %-30s %12.0f %12.0f %12d%n",
                "Kryo + header + CRC32C (Cairn)",
                kryoEncode,
                kryoDecode,
                kryoBlob.length);
        out.printf(
                Locale.ROOT,
                "  %-30s %12.0f %12.0f %12d%n",
                "Java serialization",
                javaEncode,
                javaDecode,
                javaBlob.length);
        out.printf(
                Locale.ROOT,
                "  %-30s %12.2f %12.2f%n",
                "ratio Cairn / Java",
                kryoEncode / javaEncode,
                kryoDecode / javaDecode);
        out.flush();
    }

    /** MB/s over repeated calls for about a second, best of three rounds after a warm-up. */
    private static double rate(long bytesPerCall, Callable<?> call) throws Exception {
        for (int i = 0; i < 5; i++) {
            call.call();
        }
        double best = 0;
        for (int round = 0; round < 3; round++) {
            long calls = 0;
            long t0 = System.nanoTime();
            while (System.nanoTime() - t0 < 1_000_000_000L) {
                call.call();
                calls++;
            }
            best = Math.max(best, calls * bytesPerCall / 1e6 / ((System.nanoTime() - t0) / 1e9));
        }
        return best;
    }

    private static byte[] javaEncode(JavaSnapshot snapshot) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(snapshot);
        }
        return bytes.toByteArray();
    }

    private static Object javaDecode(byte[] blob) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(blob))) {
            return in.readObject();
        }
    }

    // ---------------------------------------------------------------- plumbing

    static JobSpec benchJob(String id, int parallelism, int stateBytes, long rate) {
        return new JobSpec(
                JobId.of(id + "-" + Long.toHexString(System.nanoTime())),
                BenchJob.TYPE,
                Map.of(
                        BenchJob.PARALLELISM,
                        Integer.toString(parallelism),
                        BenchJob.STATE_BYTES,
                        Integer.toString(stateBytes),
                        BenchJob.RATE,
                        Long.toString(rate)));
    }

    private static EngineConfig withCheckpoints(EngineConfig base, long intervalMillis, long timeoutMillis) {
        return base.withCheckpoint(new CheckpointConfig(
                Duration.ofMillis(intervalMillis),
                Duration.ofMillis(timeoutMillis),
                Duration.ZERO,
                1,
                10,
                base.checkpoint().storage()));
    }

    /** One member in local mode, or an in-process cluster. */
    static final class Members implements AutoCloseable {
        private final CairnMember local;
        private final InProcessCluster cluster;

        private Members(CairnMember local, InProcessCluster cluster) {
            this.local = local;
            this.cluster = cluster;
        }

        static Members start(EngineConfig engine, int size, UnaryOperator<CheckpointStorage> decorator)
                throws Exception {
            ClassLoader loader = CliPlugins.loader();
            if (size == 1) {
                return new Members(CairnMember.start(engine, CairnMember.localConfig(), loader, decorator), null);
            }
            InProcessCluster cluster = new InProcessCluster(engine, loader, decorator);
            for (int i = 0; i < size; i++) {
                cluster.addMember();
            }
            long deadline = System.currentTimeMillis() + 60_000;
            while (!cluster.formed(size)) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("the cluster did not form");
                }
                Thread.sleep(50);
            }
            return new Members(null, cluster);
        }

        CairnMember any() {
            return local != null ? local : cluster.members().get(0);
        }

        void submit(JobSpec job) {
            any().engine().submit(job); // a refusal throws, saying why
        }

        List<CheckpointStats> history(JobSpec job) {
            List<CairnMember> all = local != null ? List.of(local) : cluster.members();
            for (CairnMember member : all) {
                if (member.isMaster()) {
                    return member.checkpointHistory(job.jobId().value());
                }
            }
            return List.of();
        }

        /**
         * Bytes the members have read from their connections so far, in all and on the master: what
         * crossed the wire (members in one process still talk over loopback sockets). Zero on one
         * member.
         */
        Wire wire() {
            List<CairnMember> all = local != null ? List.of(local) : cluster.members();
            long total = 0;
            long master = 0;
            for (CairnMember member : all) {
                long read = member.bytesReadFromMembers();
                total += read;
                master += member.isMaster() ? read : 0;
            }
            return new Wire(total, master);
        }

        void cancel(JobSpec job) throws Exception {
            any().engine().job(job.jobId()).orElseThrow().cancel().get(2, TimeUnit.MINUTES);
        }

        @Override
        public void close() {
            if (local != null) {
                local.close();
            } else {
                cluster.close();
            }
        }
    }

    /** Bytes read from connections by every member, and by the master among them. */
    record Wire(long total, long master) {
        Wire since(Wire before) {
            return new Wire(total - before.total, master - before.master);
        }
    }

    /** The configured storage, 500 ms slower per write. */
    private static final class SlowStorage extends ForwardingCheckpointStorage {
        SlowStorage(CheckpointStorage delegate) {
            super(delegate);
        }

        @Override
        public void store(PipelineKey pipeline, CheckpointId id, InputStream data) throws CheckpointStorageException {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CheckpointStorageException("interrupted", e);
            }
            super.store(pipeline, id, data);
        }

        @Override
        public String toString() {
            return delegate() + " +500 ms per write";
        }
    }
}
