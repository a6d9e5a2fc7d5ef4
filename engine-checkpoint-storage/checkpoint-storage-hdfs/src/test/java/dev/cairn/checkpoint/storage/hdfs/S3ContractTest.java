package dev.cairn.checkpoint.storage.hdfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.storage.tck.CheckpointStorageContract;
import dev.cairn.checkpoint.storage.testbed.S3Server;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hdfs plugin on S3 (s3a) against a real S3 server in this JVM that checks signatures, with
 * the AWS SDK modules Cairn ships instead of the 532 MB bundle.
 */
class S3ContractTest extends CheckpointStorageContract {
    static final String BUCKET = "cairn-checkpoints";
    static S3Server s3;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3Server.start();
        s3.createBucket(BUCKET);
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    @Override
    protected CheckpointStorageFactory factory() {
        return new HdfsStorageFactory();
    }

    @Override
    protected Map<String, String> pluginConfig(String namespace) {
        return s3.pluginConfig(BUCKET, "/cairn/" + namespace + "/");
    }

    @Test
    void store_uploadsTheFinalKeyOnly_neverATemporaryOne() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-s3", "1");
        storage.store(pipeline, CheckpointId.of(3), bytes(new byte[] {3}));

        List<String> keys = new ArrayList<>();
        String marker = null;
        do { // every page: other cases leave more than one page of keys in the bucket
            ListContainerOptions options = ListContainerOptions.Builder.recursive();
            PageSet<? extends StorageMetadata> page =
                    s3.blobStore().list(BUCKET, marker == null ? options : options.afterMarker(marker));
            page.stream()
                    .map(StorageMetadata::getName)
                    .filter(name -> name.contains("job-s3"))
                    .forEach(keys::add);
            marker = page.getNextMarker();
        } while (marker != null);

        assertEquals(
                1,
                keys.stream()
                        .filter(k -> k.endsWith("/job-s3/1/0000000000000000003.ckpt"))
                        .count(),
                keys.toString());
        assertFalse(keys.stream().anyMatch(k -> k.contains(".tmp")), keys.toString());
    }

    @Test
    void wrongSecret_isRejected_andTheMessageHoldsNoSecret() throws Exception {
        Map<String, String> config = new HashMap<>(pluginConfig("wrong"));
        config.put("fs.s3a.secret.key", "not-the-secret-Kp3");

        try (CheckpointStorage wrong = factory().create(config)) {
            CheckpointStorageException e = assertThrows(
                    CheckpointStorageException.class,
                    () -> wrong.store(PipelineKey.of("job-1", "1"), CheckpointId.of(1), bytes(new byte[1])));
            assertFalse(e.getMessage().contains("not-the-secret-Kp3"), e.getMessage());
            assertFalse(e.getMessage().contains(S3Server.SECRET_KEY), e.getMessage());
            assertFalse(wrong.toString().contains("not-the-secret-Kp3"));
        }
    }

    @Test
    void bucketAsPlainName_worksLikeTheS3aUri() throws Exception {
        Map<String, String> config = new HashMap<>(pluginConfig("plain"));
        config.put("s3.bucket", BUCKET);

        try (CheckpointStorage plain = factory().create(config)) {
            plain.store(PipelineKey.of("job-1", "1"), CheckpointId.of(1), bytes(new byte[] {1}));
            assertEquals(ids(1), plain.list(PipelineKey.of("job-1", "1")));
        }
    }

    @Test
    void seedDocumentsInstanceProfileProvider_isUsableAsWritten() throws Exception {
        Map<String, String> config = new HashMap<>(pluginConfig("instance-profile"));
        config.remove("fs.s3a.access.key");
        config.remove("fs.s3a.secret.key");
        config.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.InstanceProfileCredentialsProvider");

        // The class name resolves (to IAMInstanceCredentialsProvider) and the client starts; with no
        // instance metadata service here, requests then fail for want of credentials.
        try (CheckpointStorage profile = factory().create(config)) {
            CheckpointStorageException e =
                    assertThrows(CheckpointStorageException.class, () -> profile.list(PipelineKey.of("job-1", "1")));
            assertFalse(e.getMessage().contains("ClassNotFound"), e.getMessage());
            assertTrue(e.getMessage().toLowerCase().contains("credential"), e.getMessage());
        }
    }
}
