package dev.cairn.checkpoint.storage.testbed;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.http.HttpConfig;
import org.apache.hadoop.minikdc.MiniKdc;
import org.apache.hadoop.security.SecurityUtil;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.security.ssl.KeyStoreTestUtil;

/**
 * A Kerberos KDC (MiniKdc) and an HDFS that requires Kerberos (SASL RPC, block access tokens,
 * authenticated data transfer, HTTPS), both in this JVM, set up as Hadoop's own secure tests do.
 *
 * <p>One KDC per JVM (it sets {@code java.security.krb5.conf}) and it turns Hadoop security on for
 * the whole JVM: run tests that use it in a JVM of their own.
 */
public final class KerberizedHdfs implements AutoCloseable {
    /** The principal the client logs in as, with the keytab {@link #clientKeytab()}. */
    public static final String CLIENT = "client";

    private final MiniKdc kdc;
    private final MiniDFSCluster cluster;
    private final Path clientKeytab;
    private final Path otherKeytab;

    private KerberizedHdfs(MiniKdc kdc, MiniDFSCluster cluster, Path clientKeytab, Path otherKeytab) {
        this.kdc = kdc;
        this.cluster = cluster;
        this.clientKeytab = clientKeytab;
        this.otherKeytab = otherKeytab;
    }

    /**
     * Starts a KDC whose tickets live {@code ticketLifetimeSeconds} and a kerberized HDFS.
     *
     * @param baseDir a directory of the test's own
     * @param testClass a class loaded from a directory on the class path (a test class): Hadoop
     *     reads its HTTPS settings (ssl-server.xml, ssl-client.xml) as class path resources, so
     *     they are written there
     */
    public static KerberizedHdfs start(Path baseDir, long ticketLifetimeSeconds, Class<?> testClass) throws Exception {
        Properties kdcConf = MiniKdc.createConf();
        // Kerby reads these in seconds, whatever MiniKdc's defaults (86400000) suggest.
        kdcConf.setProperty(MiniKdc.MAX_TICKET_LIFETIME, Long.toString(ticketLifetimeSeconds));
        kdcConf.setProperty(MiniKdc.MIN_TICKET_LIFETIME, "1");
        kdcConf.setProperty(MiniKdc.MAX_RENEWABLE_LIFETIME, Long.toString(ticketLifetimeSeconds));
        File kdcDir = Files.createDirectories(baseDir.resolve("kdc")).toFile();
        MiniKdc kdc = new MiniKdc(kdcConf, kdcDir);
        kdc.start();
        String realm = kdc.getRealm();

        Path serviceKeytab = baseDir.resolve("hdfs.keytab");
        kdc.createPrincipal(serviceKeytab.toFile(), "hdfs/localhost", "HTTP/localhost");
        Path clientKeytab = baseDir.resolve("client.keytab");
        kdc.createPrincipal(clientKeytab.toFile(), CLIENT);
        Path otherKeytab = baseDir.resolve("other.keytab");
        kdc.createPrincipal(otherKeytab.toFile(), "someone-else");

        Configuration conf = MiniHdfs.baseConfiguration(baseDir.resolve("hdfs"));
        SecurityUtil.setAuthenticationMethod(UserGroupInformation.AuthenticationMethod.KERBEROS, conf);
        conf.setBoolean("hadoop.security.authorization", true);
        String service = "hdfs/localhost@" + realm;
        conf.set("dfs.namenode.kerberos.principal", service);
        conf.set("dfs.namenode.keytab.file", serviceKeytab.toString());
        conf.set("dfs.datanode.kerberos.principal", service);
        conf.set("dfs.datanode.keytab.file", serviceKeytab.toString());
        conf.set("dfs.web.authentication.kerberos.principal", "HTTP/localhost@" + realm);
        conf.setBoolean("dfs.block.access.token.enable", true);
        conf.set("dfs.data.transfer.protection", "authentication");
        conf.set("dfs.http.policy", HttpConfig.Policy.HTTPS_ONLY.name());
        conf.set("dfs.namenode.https-address", "localhost:0");
        conf.set("dfs.datanode.https.address", "localhost:0");
        conf.setInt("ipc.client.connect.max.retries.on.sasl", 10);
        conf.setBoolean("dfs.permissions.enabled", false);
        conf.setInt("hadoop.kerberos.min.seconds.before.relogin", 1);
        String keystores = Files.createDirectories(baseDir.resolve("keystores")).toString();
        String sslConfDir = KeyStoreTestUtil.getClasspathDir(testClass);
        KeyStoreTestUtil.setupSSLConfig(keystores, sslConfDir, conf, false);
        conf.set("dfs.client.https.keystore.resource", KeyStoreTestUtil.getClientSSLConfigFileName());
        conf.set("dfs.server.https.keystore.resource", KeyStoreTestUtil.getServerSSLConfigFileName());
        UserGroupInformation.setConfiguration(conf);

        MiniDFSCluster cluster =
                new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        return new KerberizedHdfs(kdc, cluster, clientKeytab, otherKeytab);
    }

    public String realm() {
        return kdc.getRealm();
    }

    public String clientPrincipal() {
        return CLIENT + "@" + realm();
    }

    public Path clientKeytab() {
        return clientKeytab;
    }

    /** A keytab of another principal: logging in as {@link #clientPrincipal()} with it fails. */
    public Path otherKeytab() {
        return otherKeytab;
    }

    public String uri() {
        return "hdfs://localhost:" + cluster.getNameNodePort();
    }

    /** The plugin-config of a client: SeaTunnel's Kerberos keys plus the cluster's service principal. */
    public Map<String, String> pluginConfig(String namespace) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("storage.type", "hdfs");
        config.put("namespace", namespace);
        config.put("fs.defaultFS", uri());
        config.put("kerberosPrincipal", clientPrincipal());
        config.put("kerberosKeytab", clientKeytab.toString());
        config.put("seatunnel.hadoop.dfs.namenode.kerberos.principal", "hdfs/localhost@" + realm());
        config.put("seatunnel.hadoop.dfs.data.transfer.protection", "authentication");
        config.put("seatunnel.hadoop.hadoop.kerberos.min.seconds.before.relogin", "1");
        return config;
    }

    public MiniDFSCluster cluster() {
        return cluster;
    }

    @Override
    public void close() {
        try {
            cluster.shutdown(true);
        } finally {
            kdc.stop();
        }
    }
}
