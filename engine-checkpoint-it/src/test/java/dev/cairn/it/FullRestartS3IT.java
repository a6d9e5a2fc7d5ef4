package dev.cairn.it;

import dev.cairn.checkpoint.storage.testbed.S3Server;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Full cluster restart with checkpoints on S3 (an S3 server in this JVM, signatures checked). */
class FullRestartS3IT extends FullRestartScenario {
    static S3Server s3;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3Server.start();
        s3.createBucket("cairn-it");
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    @Override
    Map<String, String> storageConfig() {
        return s3.pluginConfig("cairn-it", "/checkpoints/");
    }
}
