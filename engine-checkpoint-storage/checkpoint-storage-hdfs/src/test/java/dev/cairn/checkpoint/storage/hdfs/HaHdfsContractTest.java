package dev.cairn.checkpoint.storage.hdfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.storage.tck.CheckpointStorageContract;
import dev.cairn.checkpoint.storage.testbed.MiniHdfs;
import java.nio.file.Path;
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
