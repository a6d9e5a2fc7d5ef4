package dev.cairn.checkpoint.storage.hdfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.storage.tck.CheckpointStorageContract;
import dev.cairn.checkpoint.storage.testbed.MiniHdfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hdfs plugin on an HA HDFS configured only through {@code seatunnel.hadoop.} keys, with the
 * active NameNode failing over every few tests in the middle of the suite.
 */
class HaHdfsContractTest extends CheckpointStorageContract {
    private static final int FAILOVER_EVERY = 12;
    private static final String PREFIX = "seatunnel.hadoop.";

    @TempDir
    static Path dir;

    static MiniHdfs hdfs;
    static int testsRun;

    @BeforeAll
    static void startHdfs() throws Exception {
        hdfs = MiniHdfs.startHa(dir);
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.close();
        }
    }

    @BeforeEach
    void failOverNowAndThen() throws Exception {
        if (++testsRun % FAILOVER_EVERY == 0) {
            hdfs.failover();
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
     * hdfs_site_path with a real hdfs-site.xml: the nameservice is described by the file alone (no
     * seatunnel.hadoop. key), as a cluster's client configuration would be. Keys in plugin-config
     * override the file: the file gives nn2 a wrong address, plugin-config the right one, and the
     * storage keeps working after a failover to nn2 (or back to nn1, whichever is next).
     */
    @Test
    void nameserviceFromASiteFile_works_andSurvivesAFailover(@TempDir Path siteDir) throws Exception {
        Map<String, String> config = new LinkedHashMap<>();
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?>\n<configuration>\n");
        String rightNn2 = null;
        for (Map.Entry<String, String> e : pluginConfig("site-file").entrySet()) {
            if (!e.getKey().startsWith(PREFIX)) {
                config.put(e.getKey(), e.getValue());
                continue;
            }
            String key = e.getKey().substring(PREFIX.length());
            String value = e.getValue();
            if (key.equals("dfs.namenode.rpc-address." + MiniHdfs.NAMESERVICE + ".nn2")) {
                rightNn2 = value;
                config.put(key, value); // plugin-config wins over the file
                value = "127.0.0.1:1";
            }
            xml.append("  <property><name>")
                    .append(key)
                    .append("</name><value>")
                    .append(value)
                    .append("</value></property>\n");
        }
        xml.append("  <property><name>fs.defaultFS</name><value>hdfs://not-this-one</value></property>\n");
        xml.append("</configuration>\n");
        Path site = Files.writeString(
                Files.createDirectories(siteDir.resolve("hadoop conf")).resolve("hdfs-site.xml"), xml.toString());
        config.put("hdfs_site_path", site.toString());
        assertEquals(List.of(), factory().validate(config));
        assertTrue(rightNn2 != null, "the HA keys name nn2");

        PipelineKey pipeline = PipelineKey.of("job-site", "1");
        Map<String, String> withoutFile = new LinkedHashMap<>(config);
        withoutFile.remove("hdfs_site_path");
        CheckpointStorageException unknown = assertThrows(CheckpointStorageException.class, () -> {
            try (CheckpointStorage s = factory().create(withoutFile)) {
                s.list(pipeline);
            }
        });
        assertTrue(unknown.getMessage().contains(MiniHdfs.NAMESERVICE), unknown.getMessage());

        try (CheckpointStorage fromFile = factory().create(config)) {
            byte[] before = randomBytes(31, 300_000);
            fromFile.store(pipeline, CheckpointId.of(1), bytes(before));
            hdfs.failover();
            if (hdfs.activeNameNode() != 1) {
                hdfs.failover(); // on to nn2: the address only plugin-config has right
            }
            assertArrayEquals(
                    before, fromFile.load(pipeline, CheckpointId.of(1)).orElseThrow());
            fromFile.store(pipeline, CheckpointId.of(2), bytes(new byte[] {2}));
            assertEquals(ids(1, 2), fromFile.list(pipeline));
        }
    }

    @Test
    void checkpointsStoredBeforeAFailover_areReadAfterIt_bySameInstance() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-ha", "1");
        byte[] before = randomBytes(1, 300_000);
        storage.store(pipeline, CheckpointId.of(1), bytes(before));
        int activeBefore = hdfs.activeNameNode();

        hdfs.failover();

        assertNotEquals(activeBefore, hdfs.activeNameNode());
        assertArrayEquals(before, storage.load(pipeline, CheckpointId.of(1)).orElseThrow());
        storage.store(pipeline, CheckpointId.of(2), bytes(new byte[] {2}));
        assertEquals(ids(1, 2), storage.list(pipeline));
    }
}
