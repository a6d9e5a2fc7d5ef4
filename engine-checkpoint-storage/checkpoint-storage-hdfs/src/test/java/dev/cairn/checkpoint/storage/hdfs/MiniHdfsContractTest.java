package dev.cairn.checkpoint.storage.hdfs;

import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.tck.CheckpointStorageContract;
import dev.cairn.checkpoint.storage.testbed.MiniHdfs;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The hdfs plugin on a real HDFS (MiniDFSCluster). */
class MiniHdfsContractTest extends CheckpointStorageContract {
    @TempDir
    static Path dir;

    static MiniHdfs hdfs;

    @BeforeAll
    static void startHdfs() throws Exception {
        hdfs = MiniHdfs.start(dir);
    }

    @AfterAll
    static void stopHdfs() {
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
}
