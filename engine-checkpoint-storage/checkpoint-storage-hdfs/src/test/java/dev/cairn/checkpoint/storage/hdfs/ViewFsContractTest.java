package dev.cairn.checkpoint.storage.hdfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.storage.tck.CheckpointStorageContract;
import dev.cairn.checkpoint.storage.testbed.MiniHdfs;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hdfs plugin on {@code viewfs://}: a client-side mount table whose one link, {@code
 * /checkpoints}, points into a real HDFS (MiniDFSCluster).
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

    /**
     * Storing a checkpoint again under its id replaces it atomically, through the mount table as on
     * HDFS itself: a reader loading it all the while always finds one whole version, never nothing.
     * (viewfs's own {@code rename} refuses an existing target, and replacing in two steps, delete
     * then rename, leaves a moment with no checkpoint at all.)
     */
    @Test
    void storingAnIdAgain_replacesItAtomically_readersNeverFindItMissing() throws Exception {
        PipelineKey pipeline = PipelineKey.of("job-view", "1");
        byte[][] versions = {randomBytes(21, 20_000), randomBytes(22, 20_000)};
        storage.store(pipeline, CheckpointId.of(1), bytes(versions[0]));
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger loads = new AtomicInteger();
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try (CheckpointStorage other = openAnother()) {
            Future<String> missing = reader.submit(() -> {
                while (writing.get()) {
                    Optional<byte[]> loaded = other.load(pipeline, CheckpointId.of(1));
                    loads.incrementAndGet();
                    if (loaded.isEmpty()) {
                        return "missing after " + loads.get() + " loads";
                    }
                    if (!Arrays.equals(loaded.get(), versions[0]) && !Arrays.equals(loaded.get(), versions[1])) {
                        return "neither version (" + loaded.get().length + " bytes)";
                    }
                }
                return null;
            });
            for (int i = 1; i <= 40 && !missing.isDone(); i++) {
                storage.store(pipeline, CheckpointId.of(1), bytes(versions[i % 2]));
            }
            writing.set(false);
            assertNull(missing.get(60, TimeUnit.SECONDS));
            assertTrue(loads.get() > 10, "the reader ran: " + loads.get() + " loads");
        } finally {
            writing.set(false);
            reader.shutdownNow();
        }
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
