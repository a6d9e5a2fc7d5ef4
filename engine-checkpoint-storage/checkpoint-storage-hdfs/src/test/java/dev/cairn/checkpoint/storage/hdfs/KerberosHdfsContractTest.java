package dev.cairn.checkpoint.storage.hdfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.storage.tck.CheckpointStorageContract;
import dev.cairn.checkpoint.storage.tck.ForkRecipe;
import dev.cairn.checkpoint.storage.testbed.KerberizedHdfs;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.PrivilegedExceptionAction;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.security.UserGroupInformation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hdfs plugin on a kerberized HDFS with a MiniKdc: SeaTunnel's {@code kerberosPrincipal} and
 * {@code kerberosKeytab}. Runs in a JVM of its own (one KDC per JVM, security on JVM-wide).
 */
class KerberosHdfsContractTest extends CheckpointStorageContract {
    /** Short tickets, so that one test can outlive a ticket and need the plugin's re-login. */
    private static final long TICKET_LIFETIME_SECONDS = 12;

    @TempDir
    static Path dir;

    static KerberizedHdfs hdfs;

    @BeforeAll
    static void startKerberizedHdfs() throws Exception {
        hdfs = KerberizedHdfs.start(dir, TICKET_LIFETIME_SECONDS, KerberosHdfsContractTest.class);
    }

    @AfterAll
    static void stopKerberizedHdfs() {
        if (hdfs != null) {
            hdfs.close();
        }
    }

    @Override
    protected CheckpointStorageFactory factory() {
        return new HdfsStorageFactory();
    }

    @Override
    protected Map<String, String> pluginConfig(String namespace) {
        return hdfs.pluginConfig("/cairn/" + namespace + "/");
    }

    /**
     * The child JVM logs in with the same principal and keytab. It needs the KDC's {@code
     * krb5.conf}, which MiniKdc named in this JVM's system properties only.
     */
    @Override
    protected ForkRecipe forkRecipe(Map<String, String> pluginConfig) {
        return super.forkRecipe(pluginConfig)
                .withJvmOptions("-Djava.security.krb5.conf=" + System.getProperty("java.security.krb5.conf"));
    }

    @Test
    void seaTunnelsKeytabKeyName_isAccepted() throws Exception {
        Map<String, String> config = new HashMap<>(hdfs.pluginConfig("/cairn/alias/"));
        config.put("kerberosKeytabFilePath", config.remove("kerberosKeytab"));

        try (CheckpointStorage alias = factory().create(config)) {
            alias.store(PipelineKey.of("job-1", "1"), CheckpointId.of(1), bytes(new byte[] {1}));
            assertEquals(ids(1), alias.list(PipelineKey.of("job-1", "1")));
        }
    }

    @Test
    void clientWithoutKerberosCredentials_isRejected() throws Exception {
        Map<String, String> config = new HashMap<>(hdfs.pluginConfig("/cairn/anonymous/"));
        config.remove("kerberosPrincipal");
        config.remove("kerberosKeytab");
        UserGroupInformation stranger = UserGroupInformation.createRemoteUser("stranger");

        CheckpointStorageException e = stranger.doAs((PrivilegedExceptionAction<CheckpointStorageException>) () -> {
            try (CheckpointStorage anonymous = factory().create(config)) {
                return assertThrows(
                        CheckpointStorageException.class,
                        () -> anonymous.store(PipelineKey.of("job-1", "1"), CheckpointId.of(1), bytes(new byte[1])));
            }
        });

        assertTrue(e.getMessage().contains("KERBEROS") || e.getMessage().contains("authenticat"), e.getMessage());
    }

    @Test
    void wrongKeytab_failsAtCreate_namingThePrincipal() {
        Map<String, String> config = new HashMap<>(hdfs.pluginConfig("/cairn/wrong/"));
        config.put("kerberosKeytab", hdfs.otherKeytab().toString());

        CheckpointStorageException e =
                assertThrows(CheckpointStorageException.class, () -> factory().create(config));

        assertTrue(e.getMessage().contains("cannot log in to Kerberos as " + hdfs.clientPrincipal()), e.getMessage());
    }

    @Test
    void storageOutlivingItsTicket_reLogsIn_whereAPlainLoginFails() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-long", "1");
        storage.store(pipeline, CheckpointId.of(1), bytes(new byte[] {1}));
        UserGroupInformation plain = UserGroupInformation.loginUserFromKeytabAndReturnUGI(
                hdfs.clientPrincipal(), hdfs.clientKeytab().toString());
        Configuration conf = HdfsStorageFactory.hadoopConfiguration(
                HdfsStorageConfig.parse(pluginConfig("unused"), new java.util.ArrayList<>())
                        .orElseThrow());

        Thread.sleep((TICKET_LIFETIME_SECONDS + 3) * 1000); // real Kerberos time: the tickets expire

        IOException expired = assertThrows(
                IOException.class,
                () -> plain.doAs((PrivilegedExceptionAction<Object>) () -> {
                    try (FileSystem fs = FileSystem.newInstance(URI.create(hdfs.uri()), conf)) {
                        return fs.listStatus(new org.apache.hadoop.fs.Path("/"));
                    }
                }));
        assertTrue(
                String.valueOf(expired).contains("GSS initiate failed")
                        || String.valueOf(expired).contains("Failed to find any Kerberos tgt"),
                "the plain login's ticket has expired: " + expired);
        byte[] later = randomBytes(2, 1000);
        storage.store(pipeline, CheckpointId.of(2), bytes(later));
        assertArrayEquals(later, storage.load(pipeline, CheckpointId.of(2)).orElseThrow());
    }
}
