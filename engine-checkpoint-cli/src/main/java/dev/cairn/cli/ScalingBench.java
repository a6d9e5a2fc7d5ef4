package dev.cairn.cli;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.cairn.checkpoint.api.CheckpointStats;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.config.CheckpointConfig;
import dev.cairn.checkpoint.api.config.ConfigCatalogue;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.api.config.RestartPolicy;
import dev.cairn.checkpoint.bench.BenchJob;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code cairn bench checkpoint --only scaling}: how checkpoint cost grows with work, for each
 * cluster size, parallelism and pipeline count asked for, in two modes measured back to back in
 * one JVM: <em>inline</em> (every state travels to the master in its acknowledgement and is put as
 * one blob: the path before {@code inline-state-limit}) and <em>parts</em> (states above the limit
 * stay on their member in chunks, the master puts a manifest). Beside them, in the same run: one
 * raw {@code IMap.set} of the same bytes as one value, and one raw durable write of them (write,
 * fsync, rename in a temporary directory). Ratios within one run are what to read: the machine is
 * shared and noisy.
 */
final class ScalingBench {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB)?", Pattern.CASE_INSENSITIVE);

    private final PrintWriter out;
    private final PrintWriter err;
    private final EngineConfig base;
    private final int backupCount;
    private final int checkpoints;

    ScalingBench(PrintWriter out, PrintWriter err, EngineConfig base, int backupCount, int checkpoints) {
        this.out = out;
        this.err = err;
        this.base = base;
        this.backupCount = backupCount;
        this.checkpoints = checkpoints;
    }

    /** {@code 4096}, {@code 4KiB}, {@code 32MiB}: bytes. */
    static int bytes(String size) {
        Matcher m = SIZE.matcher(size.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: " + size + " (say 4096, 4KiB or 32MiB)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        long shift =
                switch (unit) {
                    case "KIB" -> 10;
                    case "MIB" -> 20;
                    case "GIB" -> 30;
                    default -> 0;
                };
        long bytes = n << shift;
        if (bytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("a state of " + size + " per subtask is more than one array holds");
        }
        return (int) bytes;
    }

    /** One run's figures, in ms; stored figures are -1 when no checkpoint was stored in the run. */
    record Cell(
            String mode,
            int members,
            int parallelism,
            int pipelines,
            int count,
            long completeP50,
            long completeP99,
            long storedP50,
            long storedP99,
            long masterBytes,
            long wirePerCheckpoint,
            double masterShare) {}

    void run(List<Integer> memberCounts, List<Integer> parallelisms, List<Integer> pipelineCounts, int stateBytes)
            throws Exception {
        out.printf(
                Locale.ROOT,
                "%nScaling: %s of state per subtask, backup-count %d, storage %s; %d checkpoints per run after one"
                        + " to warm up%n",
                human(stateBytes),
                backupCount,
                base.checkpoint().storage().type(),
                checkpoints);
        out.printf(
                "  %-6s %7s %5s %5s %11s %9s %9s %9s %9s %12s %11s %7s %10s %10s%n",
                "mode",
                "members",
                "tasks",
                "pipes",
                "state",
                "done p50",
                "done p99",
                "stored50",
                "stored99",
                "master gets",
                "wire/ckpt",
                "master",
                "raw set",
                "raw write");
        for (int pipelines : pipelineCounts) {
            for (int parallelism : parallelisms) {
                long total = (long) stateBytes * parallelism * pipelines;
                long rawWrite = rawDurableWrite(total);
                long alone = -1; // parts done p50 on 1 member, once measured
                for (int members : memberCounts) {
                    long rawSet = -1;
                    List<Cell> cells = new ArrayList<>();
                    for (String mode : List.of("inline", "parts")) {
                        Cell cell = measure(mode, members, parallelism, pipelines, stateBytes);
                        cells.add(cell);
                        if (rawSet < 0) {
                            rawSet = rawSet(members, total);
                        }
                    }
                    for (Cell c : cells) {
                        out.printf(
                                Locale.ROOT,
                                "  %-6s %7d %5d %5d %11s %6d ms %6d ms %6s ms %6s ms %12s %11s %7s %7d ms %7d ms%n",
                                c.mode,
                                c.members,
                                c.parallelism * c.pipelines,
                                c.pipelines,
                                human(total),
                                c.completeP50,
                                c.completeP99,
                                c.storedP50 < 0 ? "-" : Long.toString(c.storedP50),
                                c.storedP99 < 0 ? "-" : Long.toString(c.storedP99),
                                human(c.masterBytes),
                                c.members == 1 ? "-" : human(c.wirePerCheckpoint),
                                c.members == 1 ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * c.masterShare),
                                rawSet,
                                rawWrite);
                    }
                    Cell inline = cells.get(0);
                    Cell parts = cells.get(1);
                    out.printf(
                            Locale.ROOT,
                            "         parts/inline: done p50 %.2f, stored p50 %.2f; parts done p50 / raw set %.2f;"
                                    + " parts stored p50 / (done p50 + 1.5 x raw write) %.2f%n",
                            ratio(parts.completeP50, inline.completeP50),
                            ratio(parts.storedP50, inline.storedP50),
                            ratio(parts.completeP50, rawSet),
                            ratio(parts.storedP50, parts.completeP50 + rawWrite * 3 / 2));
                    if (members == 1) {
                        alone = parts.completeP50;
                    } else if (alone >= 0) {
                        out.printf(
                                Locale.ROOT,
                                "         parts done p50, %d members / 1 member: %.2f%n",
                                members,
                                ratio(parts.completeP50, alone));
                    }
                    out.flush();
                }
            }
        }
    }

    private static double ratio(long a, long b) {
        return a < 0 || b <= 0 ? Double.NaN : (double) a / b;
    }

    private Cell measure(String mode, int members, int parallelism, int pipelines, int stateBytes) throws Exception {
        err.printf(
                "measuring scaling: %s, %d member(s), %d x %d subtasks ...%n", mode, members, pipelines, parallelism);
        err.flush();
        long total = (long) stateBytes * parallelism * pipelines;
        // Room for the writes between checkpoints: an interval about what a checkpoint of this size takes.
        EngineConfig engine = engine(mode, total);
        JobSpec job = withPipelines(
                CheckpointBench.benchJob("bench-scaling-" + members, parallelism, stateBytes, 1_000), pipelines);
        Map<String, CheckpointStats> seen = new TreeMap<>();
        Set<String> everyCompleted = new HashSet<>(); // the warm-up's too: the wire counts the whole run
        CheckpointBench.Wire wire;
        int completed = 0;
        try (CheckpointBench.Members cluster =
                CheckpointBench.Members.start(engine, members, UnaryOperator.identity())) {
            CheckpointBench.Wire before = cluster.wire();
            cluster.submit(job);
            long deadline = System.currentTimeMillis() + 240_000;
            long firstId = -1;
            long stored = 0;
            while (stored < (long) checkpoints * pipelines) {
                if (System.currentTimeMillis() > deadline) {
                    err.printf(
                            "  only %d of %d checkpoints stored within 240 s: the figures cover those%n",
                            stored, (long) checkpoints * pipelines);
                    break;
                }
                Thread.sleep(200);
                for (CheckpointStats s : cluster.history(job)) {
                    if (!s.completed()) {
                        continue;
                    }
                    everyCompleted.add(s.pipeline() + "/" + s.id());
                    if (firstId < 0) {
                        firstId = s.id(); // the first warms up
                    }
                    if (s.id() > firstId) {
                        seen.put(s.pipeline() + "/" + s.id(), s);
                    }
                }
                // Counted over every checkpoint seen: the record's history holds only the latest ones.
                stored = seen.values().stream().filter(s -> s.flushedAt() > 0).count();
            }
            // Over the whole run, warm-up included: a window cut between checkpoints is not one.
            wire = cluster.wire().since(before);
            for (CheckpointStats s : cluster.history(job)) {
                if (s.completed()) {
                    everyCompleted.add(s.pipeline() + "/" + s.id());
                }
            }
            completed = everyCompleted.size();
            cluster.cancel(job);
        } finally {
            BenchJob.COMMITS.keySet().removeIf(k -> k.startsWith(job.jobId().value()));
        }
        List<Long> done = new ArrayList<>();
        List<Long> stored = new ArrayList<>();
        long master = 0;
        for (CheckpointStats s : seen.values()) {
            done.add(s.durationMillis());
            if (s.flushedAt() > 0) {
                stored.add(s.flushedAt() - s.triggeredAt());
            }
            master = Math.max(master, s.encodedSize());
        }
        done.sort(null);
        stored.sort(null);
        return new Cell(
                mode,
                members,
                parallelism,
                pipelines,
                done.size(),
                CheckpointBench.percentile(done, 0.5),
                CheckpointBench.percentile(done, 0.99),
                CheckpointBench.percentile(stored, 0.5),
                CheckpointBench.percentile(stored, 0.99),
                master,
                completed == 0 ? 0 : wire.total() * pipelines / completed,
                wire.total() == 0 ? 0 : (double) wire.master() / wire.total());
    }

    /**
     * How long a restore of {@code parallelism} states of {@code stateBytes} takes on {@code
     * members} members, in both modes: from the cluster's memory (a task fails; the same master
     * restarts the pipeline from its latest checkpoint, with no delay) and from storage (the whole cluster is shut
     * down and started again; the job, submitted again, resumes from what is stored). Each figure
     * runs from the failure, or from the submission, until every stateful subtask holds its state.
     */
    void restore(int members, int parallelism, int stateBytes) throws Exception {
        long total = (long) stateBytes * parallelism;
        out.printf(
                Locale.ROOT,
                "%nRestore: %d subtasks x %s of state (%s), %d member(s), backup-count %d, storage %s%n",
                parallelism,
                human(stateBytes),
                human(total),
                members,
                backupCount,
                base.checkpoint().storage().type());
        out.printf(
                "  %-6s %18s %18s %10s %14s  %s%n",
                "mode", "from memory p50", "from storage", "ratio", "wire (memory)", "restored from");
        for (String mode : List.of("inline", "parts")) {
            // No delay before a restart: the figure is the restore's, not the restart policy's.
            EngineConfig engine = engine(mode, total).toBuilder()
                    .restart(RestartPolicy.fixedDelay(100, Duration.ZERO))
                    .build();
            JobSpec job = CheckpointBench.benchJob(
                    "bench-restore-" + mode + "-" + System.nanoTime(), parallelism, stateBytes, 1_000);
            String key = job.jobId().value();
            List<Long> fromMemory = new ArrayList<>();
            List<Long> memoryWire = new ArrayList<>();
            String memorySource;
            long fromStorage;
            String storageSource;
            try {
                try (CheckpointBench.Members cluster =
                        CheckpointBench.Members.start(engine, members, UnaryOperator.identity())) {
                    cluster.submit(job);
                    for (int i = 0; i < 4; i++) {
                        awaitStored(cluster, job, 2);
                        err.printf("measuring restore: %s, from memory %d ...%n", mode, i);
                        err.flush();
                        CheckpointBench.Wire before = cluster.wire();
                        long t0 = System.currentTimeMillis();
                        BenchJob.FAIL_ONCE.add(key);
                        fromMemory.add(awaitRestored(key, parallelism, t0) - t0);
                        memoryWire.add(cluster.wire().since(before).total());
                    }
                    memorySource = restoredFrom(cluster, job, 4);
                }
                fromMemory = new ArrayList<>(fromMemory.subList(1, fromMemory.size())); // the first warms up
                fromMemory.sort(null);
                memoryWire = new ArrayList<>(memoryWire.subList(1, memoryWire.size()));
                memoryWire.sort(null);
                err.printf("measuring restore: %s, from storage ...%n", mode);
                err.flush();
                try (CheckpointBench.Members cluster =
                        CheckpointBench.Members.start(engine, members, UnaryOperator.identity())) {
                    long t0 = System.currentTimeMillis();
                    cluster.submit(job);
                    fromStorage = awaitRestored(key, parallelism, t0) - t0;
                    storageSource = restoredFrom(cluster, job, 1);
                    cluster.cancel(job);
                }
            } finally {
                BenchJob.COMMITS.remove(key);
                BenchJob.RESTORED.remove(key);
                BenchJob.FAIL_ONCE.remove(key);
            }
            long memory = CheckpointBench.percentile(fromMemory, 0.5);
            out.printf(
                    Locale.ROOT,
                    "  %-6s %15d ms %15d ms %10.2f %14s  memory: %s; storage: %s%n",
                    mode,
                    memory,
                    fromStorage,
                    ratio(memory, fromStorage),
                    members == 1 ? "-" : human(CheckpointBench.percentile(memoryWire, 0.5)),
                    memorySource,
                    storageSource);
            out.flush();
        }
    }

    /** Waits until {@code count} checkpoints newer than any seen so far are stored. */
    private static void awaitStored(CheckpointBench.Members cluster, JobSpec job, int count) throws Exception {
        long before = -1;
        for (CheckpointStats s : cluster.history(job)) {
            before = Math.max(before, s.flushedAt() > 0 ? s.id() : -1);
        }
        long deadline = System.currentTimeMillis() + 240_000;
        while (System.currentTimeMillis() < deadline) {
            int stored = 0;
            for (CheckpointStats s : cluster.history(job)) {
                stored += s.id() > before && s.flushedAt() > 0 ? 1 : 0;
            }
            if (stored >= count) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no checkpoint of " + job.jobId() + " was stored in 4 minutes");
    }

    /** When every stateful subtask of {@code job} had restored a state after {@code since}. */
    private static long awaitRestored(String job, int parallelism, long since) throws Exception {
        long deadline = System.currentTimeMillis() + 240_000;
        while (System.currentTimeMillis() < deadline) {
            Map<Integer, Long> restored = BenchJob.RESTORED.getOrDefault(job, Map.of());
            long latest = since;
            int done = 0;
            for (long at : restored.values()) {
                if (at >= since) {
                    done++;
                    latest = Math.max(latest, at);
                }
            }
            if (done == parallelism) {
                return latest;
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException(job + " did not restore in 4 minutes");
    }

    /**
     * What the job record says the latest attempt restored from, once it counts {@code restores}
     * restores: the record is published a moment after the tasks start, and may still say what the
     * attempt before restored from.
     */
    private static String restoredFrom(CheckpointBench.Members cluster, JobSpec job, long restores)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            Optional<JobStatus> status = cluster.any().engine().job(job.jobId()).flatMap(h -> h.status());
            if (status.isPresent() && status.get().restores() >= restores || System.currentTimeMillis() > deadline) {
                return status.map(JobStatus::restoredFrom).orElse("?");
            }
            Thread.sleep(10);
        }
    }

    /** The bench's engine for {@code mode}, with an interval about what a checkpoint of {@code total} bytes takes. */
    private EngineConfig engine(String mode, long total) {
        // Room for the writes between checkpoints.
        long interval = Math.max(200, Math.min(5_000, total / (1 << 20) * 15));
        CheckpointConfig c = base.checkpoint();
        return base.toBuilder()
                .backupCount(backupCount)
                .build()
                .withCheckpoint(new CheckpointConfig(
                        Duration.ofMillis(interval),
                        Duration.ofMillis(Math.max(60_000, interval * 10)),
                        Duration.ZERO,
                        1,
                        100,
                        c.storage(),
                        c.commitAfter(),
                        c.corruptCheckpoint(),
                        mode.equals("inline") ? 1 << 30 : ConfigCatalogue.INLINE_STATE_LIMIT));
    }

    private static JobSpec withPipelines(JobSpec job, int pipelines) {
        Map<String, String> params = new TreeMap<>(job.params());
        params.put(BenchJob.PIPELINES, Integer.toString(pipelines));
        return new JobSpec(job.jobId(), job.type(), params);
    }

    /** The median of three raw {@code IMap.set}s of {@code bytes} as one value, after one to warm up. */
    private long rawSet(int members, long bytes) throws Exception {
        if (bytes > Integer.MAX_VALUE - 64) {
            return -1;
        }
        EngineConfig engine = base.toBuilder().backupCount(backupCount).build();
        try (CheckpointBench.Members cluster =
                CheckpointBench.Members.start(engine, members, UnaryOperator.identity())) {
            List<Long> sets = CheckpointBench.rawPuts(cluster, bytes);
            sets.sort(null);
            return sets.get(1);
        }
    }

    /**
     * The median of three raw durable writes of {@code bytes} to the local disk: a file written in
     * 1 MiB slices, forced, renamed into place and its directory forced, as a storage store does.
     */
    private static long rawDurableWrite(long bytes) throws IOException {
        Path dir = Files.createTempDirectory("cairn-bench-raw");
        try {
            byte[] slice = new byte[1 << 20];
            new Random(2).nextBytes(slice);
            List<Long> times = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Path temp = dir.resolve("write-" + i + ".tmp");
                long t0 = System.nanoTime();
                try (FileChannel channel = FileChannel.open(temp, CREATE_NEW, WRITE)) {
                    for (long written = 0; written < bytes; written += slice.length) {
                        ByteBuffer buffer = ByteBuffer.wrap(slice, 0, (int) Math.min(slice.length, bytes - written));
                        while (buffer.hasRemaining()) {
                            channel.write(buffer);
                        }
                    }
                    channel.force(true);
                }
                Path target = dir.resolve("write-" + i);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                try (FileChannel directory = FileChannel.open(dir)) {
                    directory.force(true);
                }
                times.add((System.nanoTime() - t0) / 1_000_000);
                Files.delete(target);
            }
            List<Long> measured = new ArrayList<>(times.subList(1, times.size()));
            measured.sort(null);
            return measured.get(1);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    static String human(long bytes) {
        if (bytes >= 1 << 30 && bytes % (1 << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        if (bytes >= 1 << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
        }
        return bytes + " B";
    }
}
