package dev.cairn.checkpoint.storage.hdfs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * The local file system as the {@code hdfs} plugin uses it for {@code file:} URIs: Hadoop's raw
 * local file system (no {@code .crc} sidecars; the snapshot header's CRC32C covers integrity) made
 * durable and fork-free.
 *
 * <ul>
 *   <li>Without Hadoop's native library (Maven Central ships none) {@link RawLocalFileSystem} sets
 *       permissions by forking {@code chmod}, once per file and directory, about 9 ms each: here
 *       they are set with {@code java.nio}.
 *   <li>A rename, and a directory created, is synced into its parent directory, so that a
 *       checkpoint whose rename returned survives a machine crash.
 * </ul>
 *
 * Selected through {@code fs.file.impl}; the plugin's own instance only, never the JVM default.
 */
public class SyncingLocalFileSystem extends RawLocalFileSystem {

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
            java.nio.file.Path target = pathToFile(dst).toPath();
            syncDirectory(target.getParent());
            java.nio.file.Path source = pathToFile(src).toPath().getParent();
            if (!source.equals(target.getParent())) {
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
        boolean existed = Files.isDirectory(dir);
        boolean made = permission == null ? super.mkdirs(f) : super.mkdirs(f, permission);
        if (made && !existed) {
            syncDirectory(dir.getParent());
        }
        return made;
    }

    private static void syncDirectory(java.nio.file.Path dir) throws IOException {
        if (dir == null) {
            return;
        }
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static Set<PosixFilePermission> posix(FsPermission permission) {
        PosixFilePermission[] all = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
        };
        short mode = permission.toShort();
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < all.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(all[bit]);
            }
        }
        return set;
    }
}
