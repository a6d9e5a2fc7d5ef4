package dev.cairn.cli;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.api.config.StorageConfig;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Store and load throughput of the configured storage plugin next to a raw baseline in the same
 * directory and the same run: {@code FileChannel} write, {@code force}, atomic rename of the same
 * bytes, and a {@code FileChannel} read back, both in 1 MiB slices. The baseline does not sync the
 * directory after the rename; the plugins do, which is what durability of the rename costs. Rounds of the two alternate, so that drift in a
 * shared machine's speed falls on both; the medians are compared.
 */
@Command(
        name = "storage",
        mixinStandardHelpOptions = true,
        description = {
            "Store and load throughput of the configured storage, next to a raw baseline.",
            "Checkpoints of 4 KiB, 1 MiB and 64 MiB; the baseline is a raw FileChannel (write, force, rename)",
            "in the same directory and run."
        })
final class StorageBench implements Callable<Integer> {
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;
    /** The baseline does large I/O in 1 MiB slices, as the plugins do: a competent raw program. */
    private static final int SLICE = MIB;

    @Mixin
    ConfigOption config;

    @Option(names = "--rounds", defaultValue = "3", description = "Alternating rounds per size (default 3).")
    int rounds;

    @Option(
            names = "--baseline-dir",
            paramLabel = "DIR",
            description = "Where the raw baseline writes (default: the storage's namespace on the local disk).")
    Path baselineDir;

    @Spec
    CommandSpec spec;

    /** One measured operation of one round: how many, how long. */
    private record Round(int ops, long nanos) {
        double opsPerSecond() {
            return ops / (nanos / 1e9);
        }
    }

    private interface Target extends AutoCloseable {
        void store(int i, byte[] data) throws Exception;

        void load(int i, int size) throws Exception;

        void clear() throws Exception;

        @Override
        void close() throws Exception;
    }

    @Override
    public Integer call() throws Exception {
        EngineConfig engine = config.load();
        StorageConfig storageConfig = engine.checkpoint().storage();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path rawDir = rawDirectory(storageConfig).resolve("cairn-bench-raw-" + UUID.randomUUID());
        try (CheckpointStorage storage = CheckpointStorageFactories.find(storageConfig.type(), CliPlugins.loader())
                        .create(storageConfig.pluginConfig());
                Target cairn = pluginTarget(storage);
                Target raw = rawTarget(rawDir)) {
            out.printf("storage: %s%nbaseline: FileChannel write + force + rename in %s%n%n", storage, rawDir);
            out.printf(
                    "%-7s %-6s %12s %10s %12s %10s %7s%n",
                    "size", "op", "cairn ops/s", "cairn MB/s", "raw ops/s", "raw MB/s", "ratio");
            for (int size : new int[] {4 * KIB, MIB, 64 * MIB}) {
                err.printf("measuring %s ...%n", sizeName(size));
                err.flush();
                measure(size, cairn, raw, out);
            }
        } finally {
            deleteTree(rawDir);
        }
        out.flush();
        return 0;
    }

    private void measure(int size, Target cairn, Target raw, PrintWriter out) throws Exception {
        int ops = size <= 4 * KIB ? 4000 : size <= MIB ? 128 : 4; // rounds long enough to read a ratio
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        List<Round> cairnStores = new ArrayList<>();
        List<Round> cairnLoads = new ArrayList<>();
        List<Round> rawStores = new ArrayList<>();
        List<Round> rawLoads = new ArrayList<>();
        // Warm up with a whole round each: the plugin's longer code path takes longer to compile.
        int warmUp = size <= MIB ? ops : 1;
        run(cairn, data, warmUp, new ArrayList<>(), new ArrayList<>());
        run(raw, data, warmUp, new ArrayList<>(), new ArrayList<>());
        for (int r = 0; r < rounds; r++) {
            run(raw, data, ops, rawStores, rawLoads);
            run(cairn, data, ops, cairnStores, cairnLoads);
        }
        row(out, size, "store", median(cairnStores), median(rawStores));
        row(out, size, "load", median(cairnLoads), median(rawLoads));
        out.flush();
    }

    private static void run(Target target, byte[] data, int ops, List<Round> stores, List<Round> loads)
            throws Exception {
        long t0 = System.nanoTime();
        for (int i = 1; i <= ops; i++) {
            target.store(i, data);
        }
        long t1 = System.nanoTime();
        for (int i = 1; i <= ops; i++) {
            target.load(i, data.length);
        }
        long t2 = System.nanoTime();
        target.clear();
        stores.add(new Round(ops, t1 - t0));
        loads.add(new Round(ops, t2 - t1));
    }

    private static Round median(List<Round> rounds) {
        List<Round> sorted = new ArrayList<>(rounds);
        sorted.sort(Comparator.comparingDouble(Round::opsPerSecond));
        return sorted.get(sorted.size() / 2);
    }

    private static void row(PrintWriter out, int size, String op, Round cairn, Round raw) {
        double mb = size / 1e6;
        out.printf(
                Locale.ROOT,
                "%-7s %-6s %12.0f %10.1f %12.0f %10.1f %7.2f%n",
                sizeName(size),
                op,
                cairn.opsPerSecond(),
                cairn.opsPerSecond() * mb,
                raw.opsPerSecond(),
                raw.opsPerSecond() * mb,
                cairn.opsPerSecond() / raw.opsPerSecond());
    }

    private static String sizeName(int size) {
        return size >= MIB ? size / MIB + " MiB" : size / KIB + " KiB";
    }

    private Path rawDirectory(StorageConfig storage) throws IOException {
        if (baselineDir != null) {
            return Files.createDirectories(baselineDir);
        }
        String namespace = storage.pluginConfig().get("namespace");
        boolean localDisk = storage.type().equals("localfile")
                || (storage.type().equals("hdfs")
                        && ("local".equals(storage.pluginConfig().getOrDefault("storage.type", "local"))
                                || storage.pluginConfig()
                                        .getOrDefault("fs.defaultFS", "")
                                        .startsWith("file:")));
        if (localDisk && namespace != null) {
            return Files.createDirectories(Path.of(namespace));
        }
        spec.commandLine()
                .getErr()
                .println("note: the storage is not a local directory I can name; the baseline"
                        + " runs in the temporary directory (use --baseline-dir)");
        return Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    }

    private static Target pluginTarget(CheckpointStorage storage) {
        PipelineKey pipeline = new PipelineKey(JobId.of("cairn-bench-" + UUID.randomUUID()), "1");
        return new Target() {
            @Override
            public void store(int i, byte[] data) throws CheckpointStorageException {
                storage.store(pipeline, CheckpointId.of(i), new ByteArrayInputStream(data));
            }

            @Override
            public void load(int i, int size) throws CheckpointStorageException {
                byte[] bytes = storage.load(pipeline, CheckpointId.of(i)).orElseThrow();
                if (bytes.length != size) {
                    throw new IllegalStateException("loaded " + bytes.length + " bytes, stored " + size);
                }
            }

            @Override
            public void clear() throws CheckpointStorageException {
                storage.deleteJob(pipeline.jobId());
            }

            @Override
            public void close() {}
        };
    }

    private static Target rawTarget(Path dir) throws IOException {
        Files.createDirectories(dir);
        return new Target() {
            @Override
            public void store(int i, byte[] data) throws IOException {
                Path temp = dir.resolve(i + ".tmp");
                try (FileChannel channel = FileChannel.open(temp, CREATE_NEW, WRITE)) {
                    for (int pos = 0; pos < data.length; pos += SLICE) {
                        ByteBuffer slice = ByteBuffer.wrap(data, pos, Math.min(SLICE, data.length - pos));
                        while (slice.hasRemaining()) {
                            channel.write(slice);
                        }
                    }
                    channel.force(true);
                }
                Files.move(temp, dir.resolve(i + ".ckpt"), StandardCopyOption.ATOMIC_MOVE);
            }

            @Override
            public void load(int i, int size) throws IOException {
                try (FileChannel channel = FileChannel.open(dir.resolve(i + ".ckpt"), READ)) {
                    byte[] bytes = new byte[(int) channel.size()];
                    for (int pos = 0; pos < bytes.length; ) {
                        int n = channel.read(ByteBuffer.wrap(bytes, pos, Math.min(SLICE, bytes.length - pos)));
                        if (n < 0) {
                            break;
                        }
                        pos += n;
                    }
                    if (bytes.length != size) {
                        throw new IllegalStateException("read " + bytes.length + " bytes");
                    }
                }
            }

            @Override
            public void clear() throws IOException {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path p : (Iterable<Path>) files::iterator) {
                        Files.delete(p);
                    }
                }
            }

            @Override
            public void close() {}
        };
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort: the directory is named in the output
        }
    }
}
