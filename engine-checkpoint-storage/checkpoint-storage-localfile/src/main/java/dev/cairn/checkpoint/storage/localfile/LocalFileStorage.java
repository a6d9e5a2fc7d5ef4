package dev.cairn.checkpoint.storage.localfile;

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
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints as files under a local directory, in the {@link FileLayout}. A store writes a
 * temporary file beside the target, forces it to disk, renames it over the target atomically and
 * syncs the directory; directories it creates are synced into their parents.
 */
final class LocalFileStorage implements CheckpointStorage {
    private static final Logger LOG = LoggerFactory.getLogger(LocalFileStorage.class);
    /** Large I/O goes in slices of this size: the JDK copies each slice through a native buffer. */
    static final int CHUNK = 1 << 20;

    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final Path root;
    private final AtomicBoolean closed = new AtomicBoolean();

    LocalFileStorage(Path root) {
        this.root = root;
    }

    @Override
    public void store(PipelineKey pipeline, CheckpointId id, InputStream data) throws CheckpointStorageException {
        ensureOpen();
        Path dir = pipelineDir(pipeline);
        Path target = dir.resolve(FileLayout.fileName(id));
        Path temp = dir.resolve(FileLayout.tempFileName(id));
        boolean renamed = false;
        try {
            createDirectoriesDurably(dir);
            try (FileChannel channel = FileChannel.open(temp, CREATE_NEW, WRITE)) {
                OutputStream out = new BufferedOutputStream(new SlicingChannelOutputStream(channel), CHUNK);
                data.transferTo(out);
                out.flush();
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            renamed = true;
            syncDirectory(dir);
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot store checkpoint", null, pipeline, id, target.toString(), e);
        } finally {
            if (!renamed) {
                deleteQuietly(temp);
            }
        }
    }

    @Override
    public Optional<byte[]> load(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException {
        ensureOpen();
        Path file = pipelineDir(pipeline).resolve(FileLayout.fileName(id));
        try (FileChannel channel = FileChannel.open(file, READ)) {
            long size = channel.size();
            if (size > MAX_ARRAY) {
                throw CheckpointStorageException.of(
                        "checkpoint too large to load (" + size + " bytes)", null, pipeline, id, file.toString(), null);
            }
            byte[] bytes = new byte[(int) size];
            int offset = 0;
            while (offset < bytes.length) {
                int n = channel.read(ByteBuffer.wrap(bytes, offset, Math.min(CHUNK, bytes.length - offset)));
                if (n < 0) {
                    throw CheckpointStorageException.of(
                            "checkpoint file shrank while being read (" + offset + " of " + size + " bytes)",
                            null,
                            pipeline,
                            id,
                            file.toString(),
                            null);
                }
                offset += n;
            }
            return Optional.of(bytes);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot load checkpoint", null, pipeline, id, file.toString(), e);
        }
    }

    @Override
    public List<CheckpointId> list(PipelineKey pipeline) throws CheckpointStorageException {
        ensureOpen();
        Path dir = pipelineDir(pipeline);
        List<CheckpointId> ids = new ArrayList<>();
        try {
            forEachName(dir, name -> FileLayout.parseFileName(name).ifPresent(ids::add));
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot list checkpoints", null, pipeline, null, dir.toString(), e);
        }
        Collections.sort(ids);
        return ids;
    }

    @Override
    public List<PipelineKey> pipelines(JobId job) throws CheckpointStorageException {
        ensureOpen();
        Path dir = root.resolve(job.value());
        List<PipelineKey> pipelines = new ArrayList<>();
        try {
            forEachName(dir, name -> {
                if (Files.isDirectory(dir.resolve(name))) {
                    FileLayout.parsePipelineDirectory(job, name).ifPresent(pipelines::add);
                }
            });
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot list pipelines", job, null, null, dir.toString(), e);
        }
        Collections.sort(pipelines);
        return pipelines;
    }

    @Override
    public List<JobId> jobs() throws CheckpointStorageException {
        ensureOpen();
        List<JobId> jobs = new ArrayList<>();
        try {
            forEachName(root, name -> {
                if (Files.isDirectory(root.resolve(name))) {
                    FileLayout.parseJobDirectory(name).ifPresent(jobs::add);
                }
            });
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot list jobs", null, null, null, root.toString(), e);
        }
        Collections.sort(jobs);
        return jobs;
    }

    @Override
    public void delete(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException {
        ensureOpen();
        Path dir = pipelineDir(pipeline);
        Path file = dir.resolve(FileLayout.fileName(id));
        try {
            Files.deleteIfExists(file);
            deleteStaleTempFiles(dir, id);
        } catch (NoSuchFileException e) {
            // the pipeline directory itself is gone: nothing to delete
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot delete checkpoint", null, pipeline, id, file.toString(), e);
        }
    }

    @Override
    public void deleteJob(JobId job) throws CheckpointStorageException {
        ensureOpen();
        Path dir = root.resolve(job.value());
        try {
            deleteRecursively(dir);
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot delete job", job, null, null, dir.toString(), e);
        }
    }

    @Override
    public void close() {
        closed.set(true);
    }

    @Override
    public String toString() {
        return "localfile " + root;
    }

    // ------------------------------------------------------------------------------------------

    private Path pipelineDir(PipelineKey pipeline) {
        // Names are validated single segments (PipelineKey), so the result stays under root.
        return root.resolve(pipeline.jobId().value()).resolve(pipeline.pipeline());
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("checkpoint storage " + this + " is closed");
        }
    }

    /**
     * Temporary files left by stores that crashed are removed once a checkpoint with the same or a
     * higher id is deleted: by then a newer checkpoint of the pipeline is stored, so no store of
     * theirs can still be worth finishing.
     */
    private static void deleteStaleTempFiles(Path dir, CheckpointId deleted) throws IOException {
        List<Path> stale = new ArrayList<>();
        forEachName(dir, name -> {
            FileLayout.parseTempFileName(name)
                    .filter(id -> id.compareTo(deleted) <= 0)
                    .ifPresent(id -> stale.add(dir.resolve(name)));
        });
        for (Path temp : stale) {
            Files.deleteIfExists(temp);
        }
    }

    private interface NameConsumer {
        void accept(String name) throws IOException;
    }

    /** Calls {@code consumer} for each entry of {@code dir}; a missing directory has no entries. */
    private static void forEachName(Path dir, NameConsumer consumer) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                consumer.accept(entry.getFileName().toString());
            }
        } catch (NoSuchFileException e) {
            // absent is empty
        }
    }

    /** Creates {@code dir} and its missing parents, syncing each new entry into its parent. */
    private static void createDirectoriesDurably(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path top = dir;
        while (top.getParent() != null && !Files.isDirectory(top.getParent())) {
            top = top.getParent();
        }
        Files.createDirectories(dir);
        for (Path created = dir; ; created = created.getParent()) {
            syncDirectory(created.getParent());
            if (created.equals(top)) {
                break;
            }
        }
    }

    /** Makes the entries of a directory (a rename, a new file) durable. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, READ)) {
            channel.force(true);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // already gone
        }
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            LOG.warn("Could not remove temporary file {}; it is never listed and can be deleted by hand", temp, e);
        }
    }

    /** Writes to a channel in slices of at most {@link #CHUNK} bytes. */
    private static final class SlicingChannelOutputStream extends OutputStream {
        private final FileChannel channel;

        SlicingChannelOutputStream(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int end = off + len;
            for (int pos = off; pos < end; ) {
                ByteBuffer slice = ByteBuffer.wrap(b, pos, Math.min(CHUNK, end - pos));
                while (slice.hasRemaining()) {
                    channel.write(slice);
                }
                pos = slice.position();
            }
        }
    }
}
