package dev.cairn.cli;

import static dev.cairn.cli.CheckpointFixtures.cairn;
import static dev.cairn.cli.CheckpointFixtures.storeCheckpoint;
import static dev.cairn.cli.CheckpointFixtures.storeSavepoint;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.cli.CheckpointFixtures.Result;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code checkpoints} command tests on the local disk: a storage in a temporary directory,
 * through the hdfs plugin ({@code storage.type: local}) or the localfile plugin, a test's own
 * handle on it, and a way to run {@code cairn checkpoints ... --config} against it.
 */
abstract class LocalStorageTest {
    @TempDir
    Path dir;

    Path namespace;
    Path config;
    CheckpointStorage storage;

    enum Backend {
        LOCAL_DISK,
        LOCALFILE
    }

    @AfterEach
    void close() {
        if (storage != null) {
            storage.close();
        }
    }

    void open(Backend backend) throws Exception {
        namespace = dir.resolve("checkpoints");
        Path file = dir.resolve("seatunnel.yaml");
        config = backend == Backend.LOCAL_DISK
                ? CheckpointFixtures.localDiskConfig(file, namespace)
                : CheckpointFixtures.localfileConfig(file, namespace);
        storage = CheckpointFixtures.open(config);
    }

    /**
     * job-a pipeline 1: checkpoints 1, 2, 3 and savepoint 4; job-a pipeline 2: checkpoints 1, 2;
     * job-b pipeline 1: checkpoint 7. Seven in all. And the engine's id lease of job-a pipeline 1,
     * which no command may take for a checkpoint.
     */
    void populate() throws Exception {
        CheckpointFixtures.storeIdLease(storage, "job-a", "1", 100);
        storeCheckpoint(storage, "job-a", "1", 1, 100, 200);
        storeCheckpoint(storage, "job-a", "1", 2, 100, 200);
        storeCheckpoint(storage, "job-a", "1", 3, 100, 200);
        storeSavepoint(storage, "job-a", "1", 4, 50);
        storeCheckpoint(storage, "job-a", "2", 1, 10);
        storeCheckpoint(storage, "job-a", "2", 2, 10);
        storeCheckpoint(storage, "job-b", "1", 7, 70);
    }

    Result checkpoints(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "checkpoints";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--config";
        all[args.length + 2] = config.toString();
        return cairn(all);
    }

    byte[] stored(String job, String pipeline, long id) throws Exception {
        return storage.load(PipelineKey.of(job, pipeline), CheckpointId.of(id)).orElseThrow();
    }
}
