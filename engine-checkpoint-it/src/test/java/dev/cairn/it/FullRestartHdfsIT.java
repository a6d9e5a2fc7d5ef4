package dev.cairn.it;

import dev.cairn.checkpoint.storage.testbed.MiniHdfs;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Full cluster restart with checkpoints on HDFS (a MiniDFSCluster). */
class FullRestartHdfsIT extends FullRestartScenario {
    @TempDir
    static Path hdfsDir;

    static MiniHdfs hdfs;

    @BeforeAll
    static void startHdfs() throws Exception {
        hdfs = MiniHdfs.start(hdfsDir);
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.close();
        }
    }

    @Override
    Map<String, String> storageConfig() {
        return hdfs.pluginConfig("/cairn/checkpoint/");
    }
}
