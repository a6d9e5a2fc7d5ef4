package dev.cairn.checkpoint.storage.hdfs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.storage.tck.CheckpointStorageContract;
import dev.cairn.checkpoint.storage.testbed.OssServer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The hdfs plugin on Aliyun OSS through hadoop-aliyun, against an OSS endpoint that checks signatures. */
class OssContractTest extends CheckpointStorageContract {
    static final String BUCKET = "cairn-oss";
    static OssServer oss;

    @BeforeAll
    static void startOss() throws Exception {
        oss = OssServer.start();
        oss.createBucket(BUCKET);
    }

    @AfterAll
    static void stopOss() throws Exception {
        if (oss != null) {
            oss.close();
        }
    }

    @Override
    protected CheckpointStorageFactory factory() {
        return new HdfsStorageFactory();
    }

    @Override
    protected Map<String, String> pluginConfig(String namespace) {
        return oss.pluginConfig(BUCKET, "/cairn/" + namespace + "/");
    }

    @Test
    void wrongSecret_isRejected_andTheMessageHoldsNoSecret() throws Exception {
        Map<String, String> config = new HashMap<>(pluginConfig("wrong"));
        config.put("fs.oss.accessKeySecret", "not-the-secret-Wq9");

        try (CheckpointStorage wrong = factory().create(config)) {
            CheckpointStorageException e = assertThrows(
                    CheckpointStorageException.class,
                    () -> wrong.store(PipelineKey.of("job-1", "1"), CheckpointId.of(1), bytes(new byte[1])));
            assertFalse(e.getMessage().contains("not-the-secret-Wq9"), e.getMessage());
            assertFalse(e.getMessage().contains(OssServer.ACCESS_KEY_SECRET), e.getMessage());
        }
    }
}
