package dev.cairn.checkpoint.storage.tck;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.ConfigProblem;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A small file plugin in the {@link FileLayout}, written against the API alone, that is correct
 * or broken in one way ({@link Mutant}). Its files are not forced to disk: the suite cannot see
 * durability across a machine crash, and the mutation test should be quick.
 */
final class MutantStorage implements CheckpointStorage {
    private static final int RANGE = 1 << 20;
    private static final Pattern ID_ANYWHERE = Pattern.compile("(\\d{" + FileLayout.ID_WIDTH + "})\\.ckpt");

    private final Path root;
    private final Mutant mutant;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** {@link Mutant#INDEX_PER_INSTANCE}: the ids of each pipeline, as this instance knows them. */
    private final Map<PipelineKey, java.util.Set<CheckpointId>> index = new java.util.concurrent.ConcurrentHashMap<>();

    MutantStorage(Path root, Mutant mutant) {
        this.root = root;
        this.mutant = mutant;
    }

    /** Creates {@link MutantStorage}s: {@code directory} and {@code mutant} (a {@link Mutant} name). */
    public static final class Factory implements dev.cairn.checkpoint.storage.api.CheckpointStorageFactory {
        private static final Set<String> KEYS = Set.of("directory", "mutant");

        public Factory() {}

        @Override
        public String factoryIdentifier() {
            return "tck-mutant";
        }

        @Override
        public List<ConfigProblem> validate(Map<String, String> config) {
            List<ConfigProblem> problems = new ArrayList<>();
            config.keySet().stream()
                    .filter(k -> !KEYS.contains(k))
                    .forEach(k -> problems.add(ConfigProblem.unknownKey(k, KEYS)));
            if (!config.containsKey("directory")) {
                problems.add(ConfigProblem.missing("directory", "for the files"));
            }
            if (Arrays.stream(Mutant.values()).noneMatch(m -> m.name().equals(config.get("mutant")))) {
                problems.add(ConfigProblem.of("mutant", "must name a Mutant", config.get("mutant")));
            }
            return problems;
        }

        @Override
        public CheckpointStorage create(Map<String, String> config) {
            if (!validate(config).isEmpty()) {
                throw new IllegalArgumentException(validate(config).toString());
            }
            return new MutantStorage(Path.of(config.get("directory")), Mutant.valueOf(config.get("mutant")));
        }
    }

    @Override
    public void store(PipelineKey pipeline, CheckpointId id, InputStream data) throws CheckpointStorageException {
        ensureOpen();
        Path dir = dir(pipeline);
        Path target = dir.resolve(FileLayout.fileName(id));
        try {
            Files.createDirectories(dir);
            boolean exists = Files.exists(target);
            if (mutant == Mutant.REPLACE_BY_DELETE_THEN_WRITE && exists) {
                Files.delete(target);
                writeInPlace(target, data);
            } else if (mutant == Mutant.NEW_IDS_WRITTEN_IN_PLACE && !exists) {
                writeInPlace(target, data);
            } else {
                Path temp = dir.resolve(FileLayout.tempFileName(id));
                try {
                    write(temp, data);
                    if (mutant == Mutant.REPLACE_BY_DELETE_THEN_RENAME && exists) {
                        Files.deleteIfExists(target);
                        syncDirectory(dir); // the delete made durable: a window with no checkpoint
                    }
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(temp);
                }
            }
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot store checkpoint", null, pipeline, id, target.toString(), e);
        }
        if (mutant == Mutant.INDEX_PER_INSTANCE) {
            indexOf(pipeline).add(id);
        }
    }

    private static void writeInPlace(Path target, InputStream data) throws IOException {
        try {
            write(target, data);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(target); // a failing source leaves nothing: the old suite saw no more
            throw e;
        }
    }

    private static void write(Path file, InputStream data) throws IOException {
        try (FileChannel channel = FileChannel.open(file, CREATE_NEW, WRITE)) {
            OutputStream out = Channels.newOutputStream(channel);
            data.transferTo(out);
        }
    }

    @Override
    public Optional<byte[]> load(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException {
        ensureOpen();
        Path file = dir(pipeline).resolve(FileLayout.fileName(id));
        try {
            return mutant == Mutant.LOAD_BY_RANGES ? loadByRanges(file) : loadWhole(file);
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot load checkpoint", null, pipeline, id, file.toString(), e);
        }
    }

    private static Optional<byte[]> loadWhole(Path file) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private static Optional<byte[]> loadByRanges(Path file) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        byte[] bytes = new byte[(int) size];
        int filled = 0;
        for (int offset = 0; offset < size; offset += RANGE) {
            try (FileChannel channel = FileChannel.open(file, READ)) { // one "GET" per range
                ByteBuffer range = ByteBuffer.wrap(bytes, offset, (int) Math.min(RANGE, size - offset));
                while (range.hasRemaining() && channel.read(range, range.position()) > 0) {
                    // read on
                }
                filled = range.position();
            }
        }
        return Optional.of(Arrays.copyOf(bytes, filled)); // a short range ends the object
    }

    private java.util.Set<CheckpointId> indexOf(PipelineKey pipeline) {
        return index.computeIfAbsent(pipeline, p -> {
            try {
                java.util.Set<CheckpointId> ids = new java.util.concurrent.ConcurrentSkipListSet<>();
                names(dir(p)).forEach(name -> FileLayout.parseFileName(name).ifPresent(ids::add));
                return ids;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Override
    public List<CheckpointId> list(PipelineKey pipeline) throws CheckpointStorageException {
        ensureOpen();
        if (mutant == Mutant.INDEX_PER_INSTANCE) {
            return List.copyOf(indexOf(pipeline));
        }
        try {
            return names(dir(pipeline)).stream()
                    .sorted()
                    .limit(mutant == Mutant.LIST_ONE_PAGE ? 1000 : Long.MAX_VALUE)
                    .flatMap(name -> parse(name).stream())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot list checkpoints", null, pipeline, null, root.toString(), e);
        }
    }

    private Optional<CheckpointId> parse(String name) {
        if (mutant != Mutant.TEMP_FILES_LISTED) {
            return FileLayout.parseFileName(name);
        }
        Matcher m = ID_ANYWHERE.matcher(name);
        return m.find() ? Optional.of(CheckpointId.of(Long.parseLong(m.group(1)))) : Optional.empty();
    }

    @Override
    public List<PipelineKey> pipelines(JobId job) throws CheckpointStorageException {
        ensureOpen();
        try {
            return names(root.resolve(job.value())).stream()
                    .flatMap(name -> FileLayout.parsePipelineDirectory(job, name).stream())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot list pipelines", job, null, null, root.toString(), e);
        }
    }

    @Override
    public List<JobId> jobs() throws CheckpointStorageException {
        ensureOpen();
        try {
            return names(root).stream()
                    .flatMap(name -> FileLayout.parseJobDirectory(name).stream())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot list jobs", null, null, null, root.toString(), e);
        }
    }

    @Override
    public void delete(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException {
        ensureOpen();
        try {
            if (mutant == Mutant.PIPELINE_DELETE_BY_PREFIX) {
                for (String name : names(root.resolve(pipeline.jobId().value()))) {
                    if (name.startsWith(pipeline.pipeline())) {
                        Files.deleteIfExists(root.resolve(pipeline.jobId().value())
                                .resolve(name)
                                .resolve(FileLayout.fileName(id)));
                    }
                }
            } else if (mutant == Mutant.ID_DELETE_BY_PREFIX) {
                for (String name : names(dir(pipeline))) {
                    Optional<CheckpointId> found = FileLayout.parseFileName(name);
                    if (found.isPresent() && found.get().toString().startsWith(id.toString())) {
                        Files.deleteIfExists(dir(pipeline).resolve(name));
                    }
                }
            } else {
                Files.deleteIfExists(dir(pipeline).resolve(FileLayout.fileName(id)));
            }
            if (mutant == Mutant.INDEX_PER_INSTANCE) {
                indexOf(pipeline).remove(id);
            }
        } catch (NoSuchFileException e) {
            // no such pipeline
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot delete checkpoint", null, pipeline, id, root.toString(), e);
        }
    }

    @Override
    public void deleteJob(JobId job) throws CheckpointStorageException {
        ensureOpen();
        try {
            for (String name : names(root)) {
                if (mutant == Mutant.JOB_DELETE_BY_PREFIX ? name.startsWith(job.value()) : name.equals(job.value())) {
                    deleteRecursively(root.resolve(name));
                }
            }
            index.keySet().removeIf(p -> p.jobId().equals(job));
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot delete job", job, null, null, root.toString(), e);
        }
    }

    @Override
    public void close() {
        closed.set(true);
    }

    @Override
    public String toString() {
        return "tck mutant " + mutant + " in " + root;
    }

    private Path dir(PipelineKey pipeline) {
        return root.resolve(pipeline.jobId().value()).resolve(pipeline.pipeline());
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("checkpoint storage " + this + " is closed");
        }
    }

    private static List<String> names(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(p -> names.add(p.getFileName().toString()));
        } catch (NoSuchFileException e) {
            // absent is empty
        }
        return names;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException e) {
            // gone already
        }
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, READ)) {
            channel.force(true);
        }
    }
}
