package dev.cairn.checkpoint.storage.example;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Checkpoints as one ZIP archive per job, {@code {directory}/{jobId}.zip}, with one entry per
 * checkpoint named {@code {pipeline}/{FileLayout.fileName(id)}}, e.g. {@code
 * 1/0000000000000000009.ckpt}. An example for plugin authors that meets the whole {@link
 * CheckpointStorage} contract, but <b>not for large jobs</b>: every store and every delete rewrites
 * the job's whole archive, so each costs as much as all the job keeps.
 *
 * <ul>
 *   <li><b>Atomic and durable</b> (see {@code rewrite}): the new archive is written to a temporary
 *       file beside the old one, forced, moved over it atomically, then the directory is synced.
 *       Until the move the old archive is untouched, whatever fails. A crash may leave a {@code
 *       .{jobId}.zip.{uuid}.tmp} behind: never listed (a job id never starts with a dot), safe to
 *       delete by hand.
 *   <li><b>Ordered, isolated, absent is empty</b>: names are parsed with {@link FileLayout} and ids
 *       sorted as numbers; a missing archive or entry is an empty result, not an error.
 *   <li><b>Several writers</b>: Cairn's members store one job's checkpoints at once (each the parts
 *       of the task states it holds), so writers of a job hold that job's lock, in this process and
 *       across processes: a lock within the JVM (file locks are held per process, not per thread)
 *       and a file lock on {@code .{jobId}.zip.lock} beside the archive. Two rewrites never lose
 *       each other's entries, and other jobs do not wait. The cost of this simple choice: stores of
 *       one job run one at a time, cluster-wide. Readers take no lock: an archive is only ever
 *       replaced by a rename, so one opened is a consistent snapshot. The lock file stays when the
 *       job is deleted (removing it could let two writers hold "the" lock at once). A file lock
 *       needs a file system that honours it across machines; on a shared mount that does not, a
 *       store written by several machines needs one object per checkpoint, as the shipped plugins
 *       have, or the backend's conditional writes.
 * </ul>
 *
 * <p>Encoding, checksums, retention and retries are the engine's: the archive holds bytes as given.
 */
final class ExampleZipStorage implements CheckpointStorage {
    private static final String SUFFIX = ".zip";

    private final Path directory;
    private final boolean compress;
    /** The writers' lock of each archive within this JVM, whichever instance writes it. */
    private static final Map<Path, ReentrantLock> WRITERS = new ConcurrentHashMap<>();

    private final AtomicBoolean closed = new AtomicBoolean();

    ExampleZipStorage(Path directory, boolean compress) {
        this.directory = directory;
        this.compress = compress;
    }

    @Override
    public void store(PipelineKey pipeline, CheckpointId id, InputStream data) throws CheckpointStorageException {
        ensureOpen();
        Path archive = archiveOf(pipeline.jobId());
        try (Held held = hold(archive)) {
            rewrite(archive, entryName(pipeline, id), data);
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot store checkpoint", null, pipeline, id, archive.toString(), e);
        }
    }

    @Override
    public Optional<byte[]> load(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException {
        ensureOpen();
        String entry = entryName(pipeline, id);
        Path archive = archiveOf(pipeline.jobId());
        try {
            return read(archive, Optional.empty(), zip -> {
                ZipEntry found = zip.getEntry(entry);
                return found == null ? Optional.empty() : Optional.of(readWhole(zip, found));
            });
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot load checkpoint", null, pipeline, id, archive.toString(), e);
        }
    }

    @Override
    public List<CheckpointId> list(PipelineKey pipeline) throws CheckpointStorageException {
        ensureOpen();
        Path archive = archiveOf(pipeline.jobId());
        String prefix = pipeline.pipeline() + "/";
        try {
            return read(archive, List.of(), zip -> zip.stream()
                    .map(ZipEntry::getName)
                    .filter(name -> name.startsWith(prefix))
                    .flatMap(name -> FileLayout.parseFileName(name.substring(prefix.length())).stream())
                    .sorted() // CheckpointId compares as a number
                    .toList());
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot list checkpoints", null, pipeline, null, archive.toString(), e);
        }
    }

    @Override
    public List<PipelineKey> pipelines(JobId job) throws CheckpointStorageException {
        ensureOpen();
        Path archive = archiveOf(job);
        try {
            return read(archive, List.of(), zip -> zip.stream()
                    .flatMap(entry -> pipelineOf(job, entry.getName()).stream())
                    .distinct()
                    .sorted()
                    .toList());
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot list pipelines", job, null, null, archive.toString(), e);
        }
    }

    @Override
    public List<JobId> jobs() throws CheckpointStorageException {
        ensureOpen();
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(Files::isRegularFile)
                    .map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(SUFFIX))
                    .flatMap(name ->
                            FileLayout.parseJobDirectory(name.substring(0, name.length() - SUFFIX.length())).stream())
                    .sorted()
                    .toList();
        } catch (NoSuchFileException e) {
            return List.of(); // no directory yet: no jobs
        } catch (IOException | UncheckedIOException e) {
            throw CheckpointStorageException.of("cannot list jobs", null, null, null, directory.toString(), e);
        }
    }

    @Override
    public void delete(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException {
        ensureOpen();
        String entry = entryName(pipeline, id);
        Path archive = archiveOf(pipeline.jobId());
        if (!Files.exists(archive)) {
            return; // no archive: nothing to delete, and no lock file to create for it
        }
        try (Held held = hold(archive)) {
            if (read(archive, false, zip -> zip.getEntry(entry) != null)) { // absent: nothing to do
                rewrite(archive, entry, null);
            }
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot delete checkpoint", null, pipeline, id, archive.toString(), e);
        }
    }

    @Override
    public void deleteJob(JobId job) throws CheckpointStorageException {
        ensureOpen();
        Path archive = archiveOf(job);
        if (!Files.exists(archive)) {
            return;
        }
        try (Held held = hold(archive)) {
            if (Files.deleteIfExists(archive)) {
                syncDirectory(directory);
            }
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot delete job", job, null, null, archive.toString(), e);
        }
    }

    @Override
    public void close() {
        closed.set(true); // nothing else to release: no file stays open between calls
    }

    @Override
    public String toString() {
        // For people: the kind of store and where it is. This plugin has no secrets; one that has
        // never shows them here, nor in a message or a log line.
        return ExampleZipStorageFactory.IDENTIFIER + " archives in " + directory + (compress ? "" : " (uncompressed)");
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("checkpoint storage " + this + " is closed");
        }
    }

    private Path archiveOf(JobId job) {
        // A JobId is one valid path segment, so this stays inside the directory.
        return directory.resolve(job.value() + SUFFIX);
    }

    private static String entryName(PipelineKey pipeline, CheckpointId id) {
        return pipeline.pipeline() + "/" + FileLayout.fileName(id);
    }

    /** The pipeline a checkpoint entry belongs to; empty for any other entry. */
    private static Optional<PipelineKey> pipelineOf(JobId job, String entryName) {
        int slash = entryName.indexOf('/');
        if (slash < 0
                || FileLayout.parseFileName(entryName.substring(slash + 1)).isEmpty()) {
            return Optional.empty();
        }
        return FileLayout.parsePipelineDirectory(job, entryName.substring(0, slash));
    }

    /** A job's archive, held for writing; closing lets the next writer in. */
    private interface Held extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /**
     * Waits until no other writer, in this process or another, holds {@code archive}, and holds it.
     */
    private Held hold(Path archive) throws IOException {
        createDirectories(directory);
        ReentrantLock inProcess =
                WRITERS.computeIfAbsent(archive.toAbsolutePath().normalize(), a -> new ReentrantLock());
        inProcess.lock();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(archive.resolveSibling("." + archive.getFileName() + ".lock"), CREATE, WRITE);
            FileLock lock = channel.lock();
            FileChannel open = channel;
            return () -> {
                try (open) {
                    lock.release();
                } finally {
                    inProcess.unlock();
                }
            };
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            inProcess.unlock();
            throw e;
        }
    }

    /**
     * Replaces the job's archive by a new one: {@code entry} with the bytes of {@code data} (no
     * {@code entry} if {@code data} is null), then every other entry of the old archive. If
     * anything fails before the move, the temporary file is deleted and the old archive stays as it
     * was. The caller holds the job's lock.
     */
    private void rewrite(Path archive, String entry, InputStream data) throws IOException {
        createDirectories(directory);
        Path temp = archive.resolveSibling("." + archive.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, CREATE_NEW, WRITE);
                    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                    ZipOutputStream zip = new ZipOutputStream(out)) {
                zip.setLevel(compress ? Deflater.DEFAULT_COMPRESSION : Deflater.NO_COMPRESSION);
                if (data != null) { // first, so that a failing source fails before any copying
                    zip.putNextEntry(new ZipEntry(entry));
                    data.transferTo(zip); // the caller's stream: read to its end, not closed
                    zip.closeEntry();
                }
                read(archive, null, old -> {
                    for (ZipEntry kept : Collections.list(old.entries())) {
                        if (!kept.getName().equals(entry)) {
                            ZipEntry copy = new ZipEntry(kept.getName());
                            copy.setTime(kept.getTime());
                            zip.putNextEntry(copy);
                            try (InputStream in = old.getInputStream(kept)) {
                                in.transferTo(zip);
                            }
                            zip.closeEntry();
                        }
                    }
                    return null;
                });
                zip.finish();
                zip.flush();
                channel.force(true); // the bytes are on disk before the rename makes them visible
            }
            Files.move(temp, archive, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        syncDirectory(directory); // the rename is durable once the directory is synced
    }

    /** Reads an archive. */
    private interface ArchiveReader<T> {
        T read(ZipFile zip) throws IOException;
    }

    /** What {@code reader} finds in the archive, or {@code absent} if there is no archive. */
    private static <T> T read(Path archive, T absent, ArchiveReader<T> reader) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(archive.toFile());
        } catch (NoSuchFileException e) {
            return absent;
        }
        try (zip) {
            return reader.read(zip);
        }
    }

    /** The bytes of one entry. Its size is checked before the array is allocated. */
    private static byte[] readWhole(ZipFile zip, ZipEntry entry) throws IOException {
        long size = entry.getSize();
        if (size < 0 || size > Integer.MAX_VALUE - 8) { // the largest array a JVM allocates
            throw new IOException("entry " + entry.getName() + " cannot be loaded into one array: " + size + " bytes");
        }
        byte[] bytes = new byte[(int) size];
        try (InputStream in = zip.getInputStream(entry)) {
            if (in.readNBytes(bytes, 0, bytes.length) != size || in.read() != -1) {
                throw new IOException("entry " + entry.getName() + " does not hold the " + size + " bytes it declares");
            }
        }
        return bytes;
    }

    /** Creates {@code dir} and any missing parent, syncing each new directory into its parent. */
    private static void createDirectories(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            createDirectories(dir.getParent());
            Files.createDirectories(dir); // not an error if another thread was first
            syncDirectory(dir.getParent());
        }
    }

    /** Makes a directory's entries (a rename, a deletion, a new directory) durable. */
    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, READ)) {
            channel.force(true);
        }
    }
}
