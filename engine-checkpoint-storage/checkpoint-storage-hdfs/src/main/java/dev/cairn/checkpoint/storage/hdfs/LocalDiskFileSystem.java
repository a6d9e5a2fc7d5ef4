package dev.cairn.checkpoint.storage.hdfs;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.hadoop.fs.Syncable;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local disk as the {@code hdfs} plugin uses it for {@code file:} URIs: Hadoop's raw local file
 * system (no {@code .crc} sidecars; the snapshot header's CRC32C covers integrity), made durable
 * and lean. Selected through {@code fs.file.impl} for the plugin's own instances only.
 *
 * <ul>
 *   <li><b>Durable.</b> A rename, and each directory created, is synced into its parent directory,
 *       so that a checkpoint whose rename returned survives a machine crash.
 *   <li><b>No forks.</b> Without Hadoop's native library (Maven Central ships none) the raw local
 *       file system sets permissions by forking {@code chmod}, about 9 ms each: here they are set
 *       with {@code java.nio}, and files are created with the process umask without any chmod.
 *   <li><b>No per-stream statistics.</b> Hadoop 3.4's local streams aggregate I/O statistics on
 *       {@code close()} through a parallel stream, a hand-off to the common fork-join pool on every
 *       open file; for 4 KiB checkpoints that made loads five times slower. These streams are plain
 *       {@link FileChannel}s.
 * </ul>
 */
public class LocalDiskFileSystem extends RawLocalFileSystem {
    /** Large reads and writes go in slices: the JDK copies each through a native buffer. */
    private static final int CHUNK = 1 << 20;

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        java.nio.file.Path file = pathToFile(f).toPath();
        if (Files.isDirectory(file)) {
            throw new FileNotFoundException(f + " is a directory");
        }
        try {
            return new FSDataInputStream(new ChannelInputStream(FileChannel.open(file, READ)));
        } catch (NoSuchFileException e) {
            throw new FileNotFoundException(f.toString());
        }
    }

    /**
     * The whole of a file no longer than {@code max} bytes, or empty if there is none: one open, one
     * {@code fstat}, the reads and one close, as a plain {@link FileChannel} read does. The length
     * is the open file's own, so a rename that replaces the file meanwhile cannot mix two versions
     * (the open file keeps its inode).
     */
    Optional<byte[]> readWhole(java.nio.file.Path file, long max) throws IOException {
        try (FileChannel channel = FileChannel.open(file, READ)) {
            long size = channel.size();
            if (size > max) {
                throw new IOException("too large to load (" + size + " bytes)");
            }
            byte[] bytes = new byte[(int) size];
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                int slice = Math.min(CHUNK, buffer.remaining());
                ByteBuffer window = buffer.slice(buffer.position(), slice);
                int n = channel.read(window);
                if (n < 0) {
                    throw new EOFException(
                            "file shrank while being read: " + buffer.position() + " of " + size + " bytes");
                }
                buffer.position(buffer.position() + n);
            }
            return Optional.of(bytes);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** {@code f} as a local path. */
    java.nio.file.Path localPath(Path f) {
        return pathToFile(f).toPath();
    }

    /**
     * One {@code stat} instead of the raw local file system's four ({@code exists}, {@code
     * isDirectory}, {@code length}, {@code lastModified}). Owner, group and permission are left to
     * their defaults: nothing in the plugin reads them.
     */
    @Override
    public FileStatus getFileStatus(Path f) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(pathToFile(f).toPath(), BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new FileNotFoundException("File " + f + " does not exist");
        }
        return new FileStatus(
                attributes.size(),
                attributes.isDirectory(),
                1,
                getDefaultBlockSize(f),
                attributes.lastModifiedTime().toMillis(),
                attributes.lastAccessTime().toMillis(),
                null,
                null,
                null,
                makeQualified(f));
    }

    @Override
    public FSDataOutputStream create(
            Path f, boolean overwrite, int bufferSize, short replication, long blockSize, Progressable progress)
            throws IOException {
        return create(f, overwrite, null);
    }

    @Override
    public FSDataOutputStream create(
            Path f,
            FsPermission permission,
            boolean overwrite,
            int bufferSize,
            short replication,
            long blockSize,
            Progressable progress)
            throws IOException {
        return create(f, overwrite, permission);
    }

    private FSDataOutputStream create(Path f, boolean overwrite, FsPermission permission) throws IOException {
        java.nio.file.Path file = pathToFile(f).toPath();
        if (Files.isDirectory(file)) {
            throw new FileAlreadyExistsException("cannot create file " + f + ": it is a directory");
        }
        Path parent = f.getParent();
        if (parent != null && !mkdirs(parent)) {
            throw new IOException("cannot create directory " + parent);
        }
        FileChannel channel;
        try {
            channel = overwrite
                    ? FileChannel.open(file, CREATE, TRUNCATE_EXISTING, WRITE)
                    : FileChannel.open(file, CREATE_NEW, WRITE);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException("file " + f + " already exists");
        }
        if (permission != null) {
            setPermission(f, permission.applyUMask(FsPermission.getUMask(getConf())));
        }
        return new FSDataOutputStream(new ChannelOutputStream(channel), statistics);
    }

    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
        java.nio.file.Path path = pathToFile(p).toPath();
        try {
            Files.setPosixFilePermissions(path, posix(permission));
        } catch (UnsupportedOperationException e) { // not a POSIX file system
            super.setPermission(p, permission);
        }
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        boolean renamed = super.rename(src, dst);
        if (renamed) {
            java.nio.file.Path target = pathToFile(dst).toPath().getParent();
            syncDirectory(target);
            java.nio.file.Path source = pathToFile(src).toPath().getParent();
            if (!source.equals(target)) {
                syncDirectory(source);
            }
        }
        return renamed;
    }

    @Override
    public boolean mkdirs(Path f) throws IOException {
        return mkdirs(f, null);
    }

    @Override
    public boolean mkdirs(Path f, FsPermission permission) throws IOException {
        // RawLocalFileSystem creates missing parents by calling mkdirs(parent), which lands here
        // again: so each level syncs the one entry it creates into its own parent.
        java.nio.file.Path dir = pathToFile(f).toPath();
        if (Files.isDirectory(dir)) {
            return true;
        }
        boolean made = permission == null ? super.mkdirs(f) : super.mkdirs(f, permission);
        if (made) {
            syncDirectory(dir.getParent());
        }
        return made;
    }

    private static void syncDirectory(java.nio.file.Path dir) throws IOException {
        if (dir == null) {
            return;
        }
        try (FileChannel channel = FileChannel.open(dir, READ)) {
            channel.force(true);
        }
    }

    private static Set<PosixFilePermission> posix(FsPermission permission) {
        PosixFilePermission[] bits = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
        };
        short mode = permission.toShort();
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < bits.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(bits[bit]);
            }
        }
        return set;
    }

    /** A seekable read of a file channel. */
    private static final class ChannelInputStream extends FSInputStream {
        private final FileChannel channel;

        ChannelInputStream(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read() throws IOException {
            ByteBuffer one = ByteBuffer.allocate(1);
            return channel.read(one) < 0 ? -1 : one.get(0) & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            return channel.read(ByteBuffer.wrap(b, off, Math.min(len, CHUNK)));
        }

        @Override
        public int read(long position, byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            return channel.read(ByteBuffer.wrap(b, off, Math.min(len, CHUNK)), position);
        }

        @Override
        public void seek(long pos) throws IOException {
            if (pos < 0) {
                throw new EOFException("cannot seek to " + pos);
            }
            channel.position(pos);
        }

        @Override
        public long getPos() throws IOException {
            return channel.position();
        }

        @Override
        public boolean seekToNewSource(long targetPos) {
            return false;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(Integer.MAX_VALUE, Math.max(0, channel.size() - channel.position()));
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** A file channel as a syncable stream: {@code hsync} forces data and size to the disk. */
    private static final class ChannelOutputStream extends OutputStream implements Syncable, StreamCapabilities {
        private final FileChannel channel;

        ChannelOutputStream(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int pos = off, end = off + len; pos < end; ) {
                ByteBuffer slice = ByteBuffer.wrap(b, pos, Math.min(CHUNK, end - pos));
                while (slice.hasRemaining()) {
                    channel.write(slice);
                }
                pos = slice.position();
            }
        }

        @Override
        public void hflush() {
            // nothing is buffered here
        }

        @Override
        public void hsync() throws IOException {
            channel.force(true);
        }

        @Override
        public boolean hasCapability(String capability) {
            return StreamCapabilities.HSYNC.equals(capability) || StreamCapabilities.HFLUSH.equals(capability);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
