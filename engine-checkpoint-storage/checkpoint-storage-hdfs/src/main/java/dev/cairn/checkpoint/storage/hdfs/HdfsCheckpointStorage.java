package dev.cairn.checkpoint.storage.hdfs;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.EtagSource;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.util.functional.FutureIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints in the {@link FileLayout} on any Hadoop file system.
 *
 * <p>How a store is made atomic depends on the backend:
 *
 * <ul>
 *   <li><b>File systems</b> (local disk, HDFS, viewfs): write a temporary file beside the target,
 *       {@code hsync} it, rename it over the target (on HDFS with {@code Rename.OVERWRITE}, atomic;
 *       through viewfs the same, on the HDFS the directory is mounted from), and remove it if
 *       anything fails. On the local disk the rename also syncs the directory.
 *   <li><b>Object stores</b> (S3, OSS): upload the final key in one go, whose visibility is atomic,
 *       and never rename (a rename there is a copy plus a delete). If the upload stream can be
 *       aborted (s3a) a failure aborts it; if not (OSS) the data is read whole before the upload
 *       starts, so a failing source never produces a partial object, and a stream whose writing
 *       failed is abandoned, never closed, since its close() would commit what it had buffered.
 * </ul>
 */
final class HdfsCheckpointStorage implements CheckpointStorage {
    private static final Logger LOG = LoggerFactory.getLogger(HdfsCheckpointStorage.class);
    /** Writes go in slices of at most this size: large arrays are copied through native buffers. */
    private static final int CHUNK = 1 << 20;

    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    /** How many times a load reads a checkpoint that keeps being replaced under it before it fails. */
    static final int LOAD_ATTEMPTS = 5;

    private final FileSystemAccess access;
    private final Path root;
    private final boolean renames;
    private final String description;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The local disk, read the short way (see {@link #load}); null on every other file system. */
    private final LocalDiskFileSystem localDisk;

    private final Map<PipelineKey, java.nio.file.Path> localDirs = new ConcurrentHashMap<>();

    HdfsCheckpointStorage(FileSystemAccess access, Path root, boolean renames, String description) {
        this.access = access;
        this.localDisk = access.localDisk();
        this.root = root;
        this.renames = renames;
        this.description = description;
    }

    @Override
    public void store(PipelineKey pipeline, CheckpointId id, InputStream data) throws CheckpointStorageException {
        ensureOpen();
        Path target = file(pipeline, id);
        try {
            access.call(fs -> {
                if (renames) {
                    writeAndRename(fs, target, new Path(target.getParent(), FileLayout.tempFileName(id)), data);
                } else {
                    upload(fs, target, data);
                }
                return null;
            });
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot store checkpoint", null, pipeline, id, target.toString(), e);
        }
    }

    private static void writeAndRename(FileSystem fs, Path target, Path temp, InputStream data) throws IOException {
        boolean renamed = false;
        try {
            try (FSDataOutputStream out = fs.create(temp, false)) {
                data.transferTo(new SlicingOutputStream(out));
                out.hsync();
            }
            renameOver(fs, temp, target);
            renamed = true;
        } finally {
            if (!renamed) {
                deleteQuietly(fs, temp);
            }
        }
    }

    private static void renameOver(FileSystem fs, Path temp, Path target) throws IOException {
        if (fs instanceof DistributedFileSystem dfs) {
            dfs.rename(temp, target, Options.Rename.OVERWRITE);
            return;
        }
        if (fs.rename(temp, target)) { // local disk: rename(2) replaces the target atomically
            return;
        }
        // The target exists and this file system's rename refuses to replace it. viewfs is such a
        // one: when the directory is mounted from an HDFS, replace atomically there.
        Optional<DistributedFileSystem> mounted = mountedHdfs(fs, temp.getParent());
        if (mounted.isPresent()) {
            Path dir = fs.resolvePath(temp.getParent());
            mounted.get()
                    .rename(new Path(dir, temp.getName()), new Path(dir, target.getName()), Options.Rename.OVERWRITE);
            return;
        }
        // Any other file system: replace it in two steps. A crash in between loses only this copy;
        // the engine still holds the checkpoint and stores again.
        if (fs.exists(target) && fs.delete(target, false) && fs.rename(temp, target)) {
            return;
        }
        throw new IOException("rename of " + temp + " to " + target + " failed");
    }

    /**
     * The HDFS that really holds {@code dir} when {@code fs} mounts other file systems (viewfs's
     * mount table links to HDFS directories): one of its child file systems, the one that {@code
     * dir} resolves to.
     */
    private static Optional<DistributedFileSystem> mountedHdfs(FileSystem fs, Path dir) throws IOException {
        FileSystem[] children = fs.getChildFileSystems();
        if (children == null || children.length == 0) {
            return Optional.empty();
        }
        URI resolved = fs.resolvePath(dir).toUri();
        for (FileSystem child : children) {
            if (child instanceof DistributedFileSystem dfs
                    && dfs.getUri().getScheme().equalsIgnoreCase(resolved.getScheme())
                    && dfs.getUri().getAuthority().equalsIgnoreCase(resolved.getAuthority())) {
                return Optional.of(dfs);
            }
        }
        return Optional.empty();
    }

    /**
     * Uploads the final key. Closing the stream is the commit point: the object becomes visible
     * whole (one PUT, or the completion of a multipart upload), so nothing may close a stream whose
     * writing failed.
     *
     * <ul>
     *   <li>Abortable streams (s3a): a failure aborts the upload.
     *   <li>Streams that cannot be aborted (hadoop-aliyun's): the source is read whole first, so
     *       a failing source never reaches the client. A failure inside the client's write (it
     *       could not buffer the data, or the server refused to start the multipart upload once
     *       the first part was buffered) leaves the stream <em>abandoned</em>, never closed: its
     *       close() would upload what it had buffered so far as the object (nothing at all, or the
     *       first part alone), in place of any previous checkpoint of that id, which {@code
     *       OssContractTest} showed. An abandoned stream commits nothing; what it leaves is an
     *       unfinished multipart upload on the server if one had started (invisible; removed by a
     *       bucket lifecycle rule) and, with the default disk buffer, its block file in {@code
     *       fs.oss.buffer.dir} until the JVM exits. A failure in close() itself commits nothing
     *       either: hadoop-aliyun aborts a multipart upload whose parts failed, and a refused PUT
     *       or completion stores nothing.
     * </ul>
     */
    private static void upload(FileSystem fs, Path target, InputStream data) throws IOException {
        boolean abortable = fs.hasPathCapability(target, CommonPathCapabilities.ABORTABLE_STREAM);
        byte[] whole = abortable ? null : data.readAllBytes(); // fail before the upload can start
        FSDataOutputStream out = fs.create(target, true);
        boolean done = false;
        try {
            if (whole != null) {
                new SlicingOutputStream(out).write(whole);
            } else {
                data.transferTo(new SlicingOutputStream(out));
            }
            out.close(); // the commit point: the object becomes visible whole
            done = true;
        } finally {
            if (!done && abortable) {
                out.abort();
            }
            // Not abortable: abandoned, never closed (see above).
        }
    }

    /**
     * Loads the checkpoint as one version, old or new, even while it is being replaced. A read can
     * be cut short by a replace: on HDFS the replaced file's blocks are deleted under an open
     * stream; on the local disk the file opened may be the new one, of another length than the
     * status read first; s3a refuses to go on reading an object whose ETag changed; hadoop-aliyun
     * reads an object in ranged requests, which may come from both versions. So a read that fails,
     * or on an object store completes, while the file's status (length, modification time, ETag
     * where the store has one) changed is tried again, up to {@link #LOAD_ATTEMPTS} times in all.
     * A failure while the status stayed the same is a real one and is thrown at once. (The one
     * case this cannot see: on OSS, whose modification times are whole seconds and whose statuses
     * carry no ETag, a replace by other bytes of the same length within the same second. The
     * engine only ever replaces an id with the same bytes.)
     */
    @Override
    public Optional<byte[]> load(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException {
        ensureOpen();
        try {
            // The local disk: one open, fstat, read and close, as a plain FileChannel read (the
            // open file keeps its inode, so a replace meanwhile cannot mix versions).
            if (localDisk != null) {
                return access.call(
                        fs -> localDisk.readWhole(localDir(pipeline).resolve(FileLayout.fileName(id)), MAX_ARRAY));
            }
            Path file = file(pipeline, id);
            for (int attempt = 1; ; attempt++) {
                boolean last = attempt == LOAD_ATTEMPTS;
                Optional<byte[]> loaded = access.call(fs -> readOneVersion(fs, file, last));
                if (loaded != null) {
                    return loaded;
                }
            }
        } catch (IOException e) {
            throw CheckpointStorageException.of(
                    "cannot load checkpoint",
                    null,
                    pipeline,
                    id,
                    file(pipeline, id).toString(),
                    e);
        }
    }

    /**
     * The bytes of {@code file}, or empty if there is none, or null if it was replaced while it was
     * read and {@code last} is false.
     */
    private Optional<byte[]> readOneVersion(FileSystem fs, Path file, boolean last) throws IOException {
        FileStatus status;
        try {
            status = fs.getFileStatus(file);
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
        if (status.getLen() > MAX_ARRAY) {
            throw new IOException("too large to load (" + status.getLen() + " bytes)");
        }
        byte[] bytes = new byte[(int) status.getLen()];
        try {
            readFully(fs, file, status, bytes);
        } catch (IOException | RuntimeException e) { // some clients throw unchecked service errors
            if (replaced(fs, file, status)) {
                if (last) {
                    throw new IOException(
                            "replaced while being read, " + LOAD_ATTEMPTS + " times in a row; the last time: " + e, e);
                }
                return null;
            }
            throw e;
        }
        // Object stores read in ranged requests may have mixed two versions; files are read from one.
        if (!renames && replaced(fs, file, status)) {
            if (last) {
                throw new IOException("replaced while being read, " + LOAD_ATTEMPTS + " times in a row");
            }
            return null;
        }
        return Optional.of(bytes);
    }

    private static void readFully(FileSystem fs, Path file, FileStatus status, byte[] bytes) throws IOException {
        try (FSDataInputStream in = FutureIO.awaitFuture(fs.openFile(file)
                .withFileStatus(status)
                .opt("fs.option.openfile.read.policy", "whole-file")
                .build())) {
            for (int offset = 0; offset < bytes.length; ) {
                int n = in.read(bytes, offset, Math.min(CHUNK, bytes.length - offset));
                if (n < 0) {
                    throw new EOFException(
                            "file shrank while being read: " + offset + " of " + bytes.length + " bytes");
                }
                offset += n;
            }
            if (in.read() >= 0) {
                throw new IOException("file grew while being read beyond " + bytes.length + " bytes");
            }
        }
    }

    /** Whether {@code file} is no longer what {@code before} describes: gone, or another version. */
    private static boolean replaced(FileSystem fs, Path file, FileStatus before) throws IOException {
        FileStatus now;
        try {
            now = fs.getFileStatus(file);
        } catch (FileNotFoundException e) {
            return true;
        }
        if (now.getLen() != before.getLen() || now.getModificationTime() != before.getModificationTime()) {
            return true;
        }
        return before instanceof EtagSource a
                && now instanceof EtagSource b
                && a.getEtag() != null
                && !a.getEtag().equals(b.getEtag());
    }

    @Override
    public List<CheckpointId> list(PipelineKey pipeline) throws CheckpointStorageException {
        ensureOpen();
        Path dir = pipelineDir(pipeline);
        try {
            List<CheckpointId> ids = names(
                    dir,
                    s -> !s.isDirectory() ? FileLayout.parseFileName(s.getPath().getName()) : Optional.empty());
            Collections.sort(ids);
            return ids;
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot list checkpoints", null, pipeline, null, dir.toString(), e);
        }
    }

    @Override
    public List<PipelineKey> pipelines(JobId job) throws CheckpointStorageException {
        ensureOpen();
        Path dir = new Path(root, job.value());
        try {
            List<PipelineKey> pipelines = names(
                    dir,
                    s -> s.isDirectory()
                            ? FileLayout.parsePipelineDirectory(job, s.getPath().getName())
                            : Optional.empty());
            Collections.sort(pipelines);
            return pipelines;
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot list pipelines", job, null, null, dir.toString(), e);
        }
    }

    @Override
    public List<JobId> jobs() throws CheckpointStorageException {
        ensureOpen();
        try {
            List<JobId> jobs = names(
                    root,
                    s -> s.isDirectory()
                            ? FileLayout.parseJobDirectory(s.getPath().getName())
                            : Optional.empty());
            Collections.sort(jobs);
            return jobs;
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot list jobs", null, null, null, root.toString(), e);
        }
    }

    @Override
    public void delete(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException {
        ensureOpen();
        Path file = file(pipeline, id);
        try {
            access.call(fs -> fs.delete(file, false));
            if (renames) {
                deleteStaleTempFiles(pipelineDir(pipeline), id);
            }
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot delete checkpoint", null, pipeline, id, file.toString(), e);
        }
    }

    /**
     * Temporary files left by stores that crashed are removed once a checkpoint with the same or a
     * higher id is deleted: by then a newer checkpoint of the pipeline is stored, so no store of
     * theirs can still be worth finishing.
     */
    private void deleteStaleTempFiles(Path dir, CheckpointId deleted) throws IOException {
        List<Path> stale =
                names(dir, s -> FileLayout.parseTempFileName(s.getPath().getName())
                        .filter(id -> id.compareTo(deleted) <= 0)
                        .map(id -> s.getPath()));
        for (Path temp : stale) {
            access.call(fs -> fs.delete(temp, false));
        }
    }

    @Override
    public void deleteJob(JobId job) throws CheckpointStorageException {
        ensureOpen();
        Path dir = new Path(root, job.value());
        try {
            access.call(fs -> fs.delete(dir, true));
        } catch (IOException e) {
            throw CheckpointStorageException.of("cannot delete job", job, null, null, dir.toString(), e);
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                access.close();
            } catch (IOException e) {
                LOG.warn("Closing {} failed", description, e);
            }
        }
    }

    @Override
    public String toString() {
        return description;
    }

    // ------------------------------------------------------------------------------------------

    private Path pipelineDir(PipelineKey pipeline) {
        // Names are validated single segments (PipelineKey), so the result stays under root.
        return new Path(new Path(root, pipeline.jobId().value()), pipeline.pipeline());
    }

    /** A pipeline's directory on the local disk, kept: building Hadoop paths costs URI parses. */
    private java.nio.file.Path localDir(PipelineKey pipeline) {
        if (localDirs.size() > 4_096) {
            localDirs.clear(); // bounded: jobs come and go
        }
        return localDirs.computeIfAbsent(pipeline, p -> localDisk.localPath(pipelineDir(p)));
    }

    private Path file(PipelineKey pipeline, CheckpointId id) {
        return new Path(pipelineDir(pipeline), FileLayout.fileName(id));
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("checkpoint storage " + description + " is closed");
        }
    }

    /** Maps the entries of {@code dir} that {@code parse} recognises; a missing directory is empty. */
    private <T> List<T> names(Path dir, Function<FileStatus, Optional<T>> parse) throws IOException {
        return access.call(fs -> {
            FileStatus[] statuses;
            try {
                statuses = fs.listStatus(dir);
            } catch (FileNotFoundException e) {
                return new ArrayList<>();
            }
            List<T> result = new ArrayList<>(statuses.length);
            for (FileStatus status : statuses) {
                parse.apply(status).ifPresent(result::add);
            }
            return result;
        });
    }

    private static void deleteQuietly(FileSystem fs, Path temp) {
        try {
            fs.delete(temp, false);
        } catch (IOException e) {
            LOG.warn("Could not remove temporary file {}; it is never listed and is removed by retention", temp, e);
        }
    }

    /** Passes writes on in slices of at most {@link #CHUNK} bytes. */
    private static final class SlicingOutputStream extends OutputStream {
        private final OutputStream out;

        SlicingOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int pos = off, end = off + len; pos < end; pos += CHUNK) {
                out.write(b, pos, Math.min(CHUNK, end - pos));
            }
        }
    }
}
