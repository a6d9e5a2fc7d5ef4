package dev.cairn.checkpoint.storage.hdfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import dev.cairn.checkpoint.storage.testbed.OssServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    // ------------------------------------------------------------------------------------------
    // Failures inside hadoop-aliyun's upload stream. Its close() is the commit point and it has no
    // abort: whatever it buffered before a failure would be uploaded by a close() after it.

    /** Multipart upload parts: the least the S3 server behind the shim accepts (OSS: 100 KB). */
    private static final int PART = 5 * 1024 * 1024;
    /** A checkpoint of three parts. */
    private static final int MULTIPART = 2 * PART + 2 * 1024 * 1024;

    /**
     * The client's first request of a multipart upload (initiate, {@code POST ...?uploads}) is
     * refused when it has buffered a full first part. A close() after that failure would upload
     * that first part alone as the object (5 MiB of 12 MiB), in place of the previous checkpoint.
     */
    @Test
    void uploadRefusedMidway_byTheServer_leavesThePreviousBytes_andNoPartialObject() throws Exception {
        Map<String, String> config = new HashMap<>(pluginConfig("refused-" + UUID.randomUUID()));
        config.put("fs.oss.multipart.upload.size", String.valueOf(PART));
        PipelineKey pipeline = PipelineKey.of("job-oss", "1");
        byte[] previous = randomBytes(1, 1000);

        try (CheckpointStorage multipart = factory().create(config)) {
            multipart.store(pipeline, CheckpointId.of(4), bytes(previous));
            oss.failRequests(request -> request.startsWith("POST ") && request.contains("?uploads"));
            try {
                assertThrows(
                        CheckpointStorageException.class,
                        () -> multipart.store(pipeline, CheckpointId.of(4), bytes(randomBytes(2, MULTIPART))));
                assertThrows(
                        CheckpointStorageException.class,
                        () -> multipart.store(pipeline, CheckpointId.of(5), bytes(randomBytes(3, MULTIPART))));
            } finally {
                oss.failRequests(null);
            }

            assertArrayEquals(
                    previous, multipart.load(pipeline, CheckpointId.of(4)).orElseThrow());
            assertEquals(ids(4), multipart.list(pipeline));
            assertEquals(Map.of("0000000000000000004.ckpt", 1000L), objects(config, pipeline));

            // and the storage still works, multipart included
            byte[] large = randomBytes(4, MULTIPART);
            multipart.store(pipeline, CheckpointId.of(5), bytes(large));
            assertArrayEquals(
                    large, multipart.load(pipeline, CheckpointId.of(5)).orElseThrow());
        }
    }

    /**
     * The client cannot buffer the upload ({@code fs.oss.buffer.dir} is a regular file, as a full or
     * broken disk would be): its first write fails before any byte is buffered. A close() after
     * that failure would store an empty object under the final name.
     */
    @Test
    void uploadThatCannotBeBuffered_leavesThePreviousBytes_andNoEmptyObject(@TempDir Path dir) throws Exception {
        Map<String, String> config = new HashMap<>(pluginConfig("unbuffered-" + UUID.randomUUID()));
        PipelineKey pipeline = PipelineKey.of("job-oss", "1");
        byte[] previous = randomBytes(5, 1000);
        try (CheckpointStorage good = factory().create(config)) {
            good.store(pipeline, CheckpointId.of(6), bytes(previous));
        }
        Map<String, String> broken = new HashMap<>(config);
        broken.put(
                "fs.oss.buffer.dir",
                Files.writeString(dir.resolve("not-a-directory"), "x").toString());

        try (CheckpointStorage unbuffered = factory().create(broken)) {
            CheckpointStorageException e = assertThrows(
                    CheckpointStorageException.class,
                    () -> unbuffered.store(pipeline, CheckpointId.of(6), bytes(randomBytes(6, 5000))));
            assertTrue(e.getMessage().contains("checkpoint 6"), e.getMessage());
            assertThrows(
                    CheckpointStorageException.class,
                    () -> unbuffered.store(pipeline, CheckpointId.of(7), bytes(randomBytes(7, 5000))));

            assertArrayEquals(
                    previous, unbuffered.load(pipeline, CheckpointId.of(6)).orElseThrow());
            assertEquals(ids(6), unbuffered.list(pipeline));
        }
        assertEquals(Map.of("0000000000000000006.ckpt", 1000L), objects(config, pipeline));
    }

    /**
     * Failures the client handles itself, checked so that they stay handled: a refused single PUT
     * (small checkpoint), a refused part (the client aborts the multipart upload in close()) and a
     * refused completion. None leaves an object or touches the previous one.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"single PUT", "part upload", "completion"})
    void uploadRefusedAtCommit_leavesThePreviousBytes(String refused) throws Exception {
        Map<String, String> config = new HashMap<>(pluginConfig("commit-" + UUID.randomUUID()));
        config.put("fs.oss.multipart.upload.size", String.valueOf(PART));
        PipelineKey pipeline = PipelineKey.of("job-oss", "1");
        byte[] previous = randomBytes(8, 1000);
        int size = refused.equals("single PUT") ? 50_000 : MULTIPART;
        Predicate<String> which =
                switch (refused) {
                    case "single PUT" -> r -> r.startsWith("PUT ") && r.endsWith(".ckpt");
                    case "part upload" -> r -> r.startsWith("PUT ") && r.contains("partNumber=2");
                    default -> r -> r.startsWith("POST ") && r.contains("uploadId=");
                };

        try (CheckpointStorage storage = factory().create(config)) {
            storage.store(pipeline, CheckpointId.of(9), bytes(previous));
            oss.failRequests(which);
            try {
                assertThrows(
                        CheckpointStorageException.class,
                        () -> storage.store(pipeline, CheckpointId.of(9), bytes(randomBytes(9, size))));
            } finally {
                oss.failRequests(null);
            }
            assertArrayEquals(
                    previous, storage.load(pipeline, CheckpointId.of(9)).orElseThrow());
        }
        assertEquals(Map.of("0000000000000000009.ckpt", 1000L), objects(config, pipeline));
    }

    /** Every object under the pipeline's prefix in the bucket, by name, with its size. */
    private static Map<String, Long> objects(Map<String, String> config, PipelineKey pipeline) {
        String prefix =
                config.get("namespace").substring(1) + pipeline.jobId().value() + "/" + pipeline.pipeline() + "/";
        Map<String, Long> objects = new TreeMap<>();
        for (StorageMetadata m : oss.blobStore()
                .list(BUCKET, ListContainerOptions.Builder.recursive().prefix(prefix))) {
            if (m.getName().startsWith(prefix) && !m.getName().endsWith("/")) {
                objects.put(m.getName().substring(prefix.length()), m.getSize());
            }
        }
        return objects;
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
