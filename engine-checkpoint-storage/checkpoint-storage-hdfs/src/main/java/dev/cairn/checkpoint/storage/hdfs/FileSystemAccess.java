package dev.cairn.checkpoint.storage.hdfs;

import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.hdfs.HdfsStorageConfig.KerberosIdentity;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.security.PrivilegedExceptionAction;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.security.UserGroupInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One storage's own Hadoop {@link FileSystem} (from {@link FileSystem#newInstance}, never the
 * shared cache), and, with Kerberos, the user it acts as.
 *
 * <p>With Kerberos the plugin logs in with {@link
 * UserGroupInformation#loginUserFromKeytabAndReturnUGI}: a user of its own, not the JVM-wide login
 * user (which other code in the process, an in-process NameNode for one, may rely on). Every file
 * system call runs as that user, and before each call the ticket is renewed from the keytab when
 * it nears its end ({@link UserGroupInformation#checkTGTAndReloginFromKeytab}), so a storage that
 * was idle for longer than the ticket lifetime still works.
 */
final class FileSystemAccess implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(FileSystemAccess.class);

    /** A file system operation. */
    interface Call<T> {
        T run(FileSystem fs) throws IOException;
    }

    private final FileSystem fs;
    private final UserGroupInformation user; // null without Kerberos

    private FileSystemAccess(FileSystem fs, UserGroupInformation user) {
        this.fs = fs;
        this.user = user;
    }

    /**
     * Logs in (with Kerberos) and opens the file system. Every failure, including the unchecked
     * exceptions some clients throw while initialising (hadoop-aliyun's IllegalArgumentException
     * for a missing endpoint, a NumberFormatException for a malformed number), comes out as a
     * {@link CheckpointStorageException} whose message is the cause's type and first line.
     */
    static FileSystemAccess open(URI uri, Configuration conf, KerberosIdentity kerberos)
            throws CheckpointStorageException {
        UserGroupInformation user = null;
        if (kerberos != null) {
            user = login(conf, kerberos);
        }
        try {
            FileSystem fs = user == null
                    ? FileSystem.newInstance(uri, conf)
                    : user.doAs((PrivilegedExceptionAction<FileSystem>) () -> FileSystem.newInstance(uri, conf));
            return new FileSystemAccess(fs, user);
        } catch (IOException | RuntimeException e) {
            if (user != null) {
                logoutQuietly(user);
            }
            throw new CheckpointStorageException(
                    "cannot open file system " + uri + ": " + e.getClass().getSimpleName() + ": "
                            + firstLine(e.getMessage()),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckpointStorageException("interrupted while opening file system " + uri, e);
        }
    }

    private static void logoutQuietly(UserGroupInformation user) {
        try {
            user.logoutUserFromKeytab();
        } catch (IOException e) {
            LOG.debug("Kerberos logout after a failed open failed too", e);
        }
    }

    private static UserGroupInformation login(Configuration conf, KerberosIdentity kerberos)
            throws CheckpointStorageException {
        conf.set("hadoop.security.authentication", "kerberos");
        // UGI reads whether security is on from JVM-wide state: Hadoop offers no other way.
        UserGroupInformation.setConfiguration(conf);
        try {
            UserGroupInformation user =
                    UserGroupInformation.loginUserFromKeytabAndReturnUGI(kerberos.principal(), kerberos.keytab());
            LOG.info("Logged in to Kerberos as {} with keytab {}", kerberos.principal(), kerberos.keytab());
            return user;
        } catch (IOException e) {
            throw new CheckpointStorageException(
                    "cannot log in to Kerberos as " + kerberos.principal() + " with keytab " + kerberos.keytab() + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * Runs {@code call} as this storage's user. Some clients (the Aliyun OSS SDK) throw unchecked
     * exceptions for service errors: they come out as {@link IOException}s like every other
     * backend failure.
     */
    <T> T call(Call<T> call) throws IOException {
        try {
            if (user == null) {
                return call.run(fs);
            }
            user.checkTGTAndReloginFromKeytab();
            return user.doAs((PrivilegedExceptionAction<T>) () -> call.run(fs));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        } catch (RuntimeException e) {
            throw new IOException(e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()), e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** The file system if it is the plugin's own local disk one (never with Kerberos), else null. */
    LocalDiskFileSystem localDisk() {
        return user == null && fs instanceof LocalDiskFileSystem disk ? disk : null;
    }

    /** The Kerberos user, for tests and diagnostics; null without Kerberos. */
    UserGroupInformation user() {
        return user;
    }

    @Override
    public void close() throws IOException {
        try {
            fs.close();
        } finally {
            if (user != null) {
                user.logoutUserFromKeytab();
            }
        }
    }
}
