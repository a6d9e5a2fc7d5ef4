package dev.cairn.checkpoint.storage.hdfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.storage.tck.CheckpointStorageContract;
import dev.cairn.checkpoint.storage.testbed.MiniHdfs;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hdfs plugin on {@code viewfs://}: a client-side mount table whose one link, {@code
 * /checkpoints}, points into a real HDFS (MiniDFSCluster). (viewfs's own {@code rename} refuses an
 * existing target, and replacing in two steps leaves a moment with no checkpoint at all: the
 * contract's concurrent-replace case is what keeps the plugin's {@code Rename.OVERWRITE} on the
 * mounted HDFS honest.)
 */
class ViewFsContractTest extends CheckpointStorageContract {
    static final String VIEW = "cairn-view";

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
        return viewConfig("/checkpoints/" + namespace + "/");
    }

    /** What a user writes for a viewfs mount table whose link /checkpoints is /cairn/viewfs on the HDFS. */
    static Map<String, String> viewConfig(String namespace) {
        String hdfsUri = hdfs.pluginConfig("/").get("fs.defaultFS");
        Map<String, String> config = new LinkedHashMap<>();
        config.put("storage.type", "hdfs");
        config.put("fs.defaultFS", "viewfs://" + VIEW);
        config.put("namespace", namespace);
        config.put("fs.viewfs.mounttable." + VIEW + ".link./checkpoints", hdfsUri + "/cairn/viewfs");
        config.put("seatunnel.hadoop.ipc.client.connect.max.retries", "3");
        return config;
    }

    @Test
    void checkpoints_landUnderTheMountTarget_onTheHdfs() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-view", "1");
        byte[] data = randomBytes(11, 200_000);
        try (CheckpointStorage view = factory().create(viewConfig("/checkpoints/landing/"))) {
            view.store(pipeline, CheckpointId.of(1), bytes(data));
        }
        try (CheckpointStorage direct = factory().create(hdfs.pluginConfig("/cairn/viewfs/landing/"))) {
            assertArrayEquals(data, direct.load(pipeline, CheckpointId.of(1)).orElseThrow());
        }
    }
}
