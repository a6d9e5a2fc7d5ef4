package dev.cairn.checkpoint.storage.testbed;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.MiniDFSNNTopology;

/**
 * A real HDFS (NameNode and DataNode in this JVM), plain or highly available, for tests. Start it
 * once per test class: a start takes seconds.
 */
public final class MiniHdfs implements AutoCloseable {
    /** The nameservice of the HA topology, as a user would name it in {@code fs.defaultFS}. */
    public static final String NAMESERVICE = "cairn-ns";

    private final MiniDFSCluster cluster;
    private final boolean ha;
    /** The NameNodes' RPC ports, fixed at start: a stopped NameNode restarts on its port. */
    private final int[] ports;

    private int active;

    private MiniHdfs(MiniDFSCluster cluster, boolean ha) {
        this.cluster = cluster;
        this.ha = ha;
        this.ports = new int[ha ? 2 : 1];
        for (int i = 0; i < ports.length; i++) {
            ports[i] = cluster.getNameNode(i).getNameNodeAddress().getPort();
        }
    }

    /** One NameNode, one DataNode, under {@code baseDir}. */
    public static MiniHdfs start(Path baseDir) throws IOException {
        Configuration conf = baseConfiguration(baseDir);
        MiniDFSCluster cluster =
                new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        return new MiniHdfs(cluster, false);
    }

    /** Two NameNodes ({@code nn1} active, {@code nn2} standby) of nameservice {@link #NAMESERVICE}. */
    public static MiniHdfs startHa(Path baseDir) throws IOException {
        Configuration conf = baseConfiguration(baseDir);
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf)
                .nnTopology(MiniDFSNNTopology.simpleHATopology())
                .numDataNodes(1)
                .build();
        cluster.waitActive();
        cluster.transitionToActive(0);
        return new MiniHdfs(cluster, true);
    }

    static Configuration baseConfiguration(Path baseDir) {
        Configuration conf = new HdfsConfiguration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.toAbsolutePath().toString());
        conf.setInt("dfs.replication", 1);
        conf.setBoolean("dfs.permissions.enabled", true);
        // Fail fast rather than retry for minutes when a test stops a NameNode on purpose.
        conf.setInt("ipc.client.connect.max.retries", 2);
        conf.setInt("ipc.client.connect.retry.interval", 200);
        return conf;
    }

    /**
     * What a user puts under {@code plugin-config} to reach this HDFS, SeaTunnel-style: {@code
     * fs.defaultFS} and, for HA, the {@code seatunnel.hadoop.}-prefixed nameservice keys.
     */
    public Map<String, String> pluginConfig(String namespace) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("storage.type", "hdfs");
        config.put("namespace", namespace);
        if (!ha) {
            config.put("fs.defaultFS", "hdfs://127.0.0.1:" + ports[0]);
            config.put("seatunnel.hadoop.ipc.client.connect.max.retries", "3");
            return config;
        }
        String p = "seatunnel.hadoop.";
        config.put("fs.defaultFS", "hdfs://" + NAMESERVICE);
        config.put(p + "dfs.nameservices", NAMESERVICE);
        config.put(p + "dfs.ha.namenodes." + NAMESERVICE, "nn1,nn2");
        for (int i = 0; i < 2; i++) {
            config.put(p + "dfs.namenode.rpc-address." + NAMESERVICE + ".nn" + (i + 1), "127.0.0.1:" + ports[i]);
        }
        config.put(
                p + "dfs.client.failover.proxy.provider." + NAMESERVICE,
                "org.apache.hadoop.hdfs.server.namenode.ha.ConfiguredFailoverProxyProvider");
        config.put(p + "dfs.client.failover.sleep.base.millis", "50");
        config.put(p + "dfs.client.failover.sleep.max.millis", "500");
        config.put(p + "ipc.client.connect.max.retries", "1");
        return config;
    }

    /**
     * HA only: stops the active NameNode and makes the other one active, as an operator would. The
     * stopped one is restarted as standby by the next failover, so failovers can repeat.
     */
    public void failover() throws IOException {
        if (!ha) {
            throw new IllegalStateException("not an HA cluster");
        }
        int standby = 1 - active;
        if (cluster.getNameNode(standby) == null) {
            cluster.restartNameNode(standby, true); // back as standby, DataNodes registered
        }
        cluster.shutdownNameNode(active);
        cluster.transitionToActive(standby);
        active = standby;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (cluster.getNameNode(active).isInSafeMode()) { // until the block reports are in
            if (System.nanoTime() > deadline) {
                throw new IOException("NameNode " + active + " did not leave safe mode");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }

    /** The index (0 or 1) of the active NameNode. */
    public int activeNameNode() {
        return active;
    }

    public MiniDFSCluster cluster() {
        return cluster;
    }

    @Override
    public void close() {
        cluster.shutdown(true);
    }
}
