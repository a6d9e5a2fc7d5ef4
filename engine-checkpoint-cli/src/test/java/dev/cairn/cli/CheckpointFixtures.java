package dev.cairn.cli;

import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.api.config.StorageConfig;
import dev.cairn.checkpoint.config.ConfigLoader;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.PartCodec;
import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the {@code checkpoints} tests share: running the CLI, writing configs, making checkpoints. */
final class CheckpointFixtures {
    /** Epoch millis all test checkpoints are triggered around: 2024-05-01T10:00:00Z. */
    static final long T0 = 1_714_557_600_000L;

    private CheckpointFixtures() {}

    record Result(int status, String out, String err) {
        String all() {
            return out + err;
        }
    }

    /** {@code cairn ARGS} in this process, as a user runs it. */
    static Result cairn(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Cairn.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(status, out.toString(), err.toString());
    }

    /** A seatunnel.yaml with this storage. */
    static Path config(Path file, String type, Map<String, String> pluginConfig) throws Exception {
        StringBuilder yaml = new StringBuilder(
                "seatunnel:\n  engine:\n    checkpoint:\n      storage:\n        type: " + type + "\n");
        yaml.append("        plugin-config:\n");
        pluginConfig.forEach((key, value) -> yaml.append("          ")
                .append(key)
                .append(": '")
                .append(value.replace("'", "''"))
                .append("'\n"));
        Files.createDirectories(file.getParent());
        return Files.writeString(file, yaml);
    }

    /** The hdfs plugin on the local disk ({@code storage.type: local}) under {@code namespace}. */
    static Path localDiskConfig(Path file, Path namespace) throws Exception {
        return config(file, "hdfs", Map.of("storage.type", "local", "namespace", namespace.toString()));
    }

    /** The localfile plugin under {@code namespace}. */
    static Path localfileConfig(Path file, Path namespace) throws Exception {
        return config(file, "localfile", Map.of("namespace", namespace.toString()));
    }

    /** The storage a config names, opened the way the commands open it. */
    static CheckpointStorage open(Path config) throws Exception {
        StorageConfig storage = new ConfigLoader(CairnHome::env, Cairn.class.getClassLoader())
                .load(config)
                .checkpoint()
                .storage();
        return CheckpointStorageFactories.find(storage.type(), Cairn.class.getClassLoader())
                .create(storage.pluginConfig());
    }

    /**
     * An encoded checkpoint of {@code pipeline} (its savepoints: {@code type} SAVEPOINT) with one
     * task per size, task {@code i} named {@code task-i} holding {@code sizes[i]} bytes.
     */
    static byte[] blob(PipelineKey pipeline, long id, CheckpointType type, int... sizes) {
        List<TaskState> states = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            byte[] state = new byte[sizes[i]];
            Arrays.fill(state, (byte) (id + i));
            states.add(new TaskState("task-" + i, state));
        }
        return SnapshotCodec.encode(new CompletedCheckpoint(
                pipeline,
                CheckpointId.of(id),
                type,
                T0 + id * 1000,
                T0 + id * 1000 + 250,
                states,
                Map.of(CompletedCheckpoint.META_ATTEMPT, "1")));
    }

    /** Stores a checkpoint of {@code job}/{@code pipeline} and returns its bytes. */
    static byte[] storeCheckpoint(CheckpointStorage storage, String job, String pipeline, long id, int... sizes)
            throws Exception {
        PipelineKey key = PipelineKey.of(job, pipeline);
        byte[] blob = blob(key, id, CheckpointType.CHECKPOINT, sizes);
        storage.store(key, CheckpointId.of(id), new ByteArrayInputStream(blob));
        return blob;
    }

    /** Stores a savepoint of {@code job}/{@code pipeline} (as pipeline P.savepoints) and returns its bytes. */
    static byte[] storeSavepoint(CheckpointStorage storage, String job, String pipeline, long id, int... sizes)
            throws Exception {
        PipelineKey key = PipelineKey.of(job, pipeline);
        byte[] blob = blob(key, id, CheckpointType.SAVEPOINT, sizes);
        storage.store(FileLayout.savepointsOf(key), CheckpointId.of(id), new ByteArrayInputStream(blob));
        return blob;
    }

    /**
     * Stores a manifest (snapshot format 2) of {@code job}/{@code pipeline}, as the engine does for
     * states above {@code inline-state-limit}: task {@code i} holds {@code sizes[i]} bytes, kept as a
     * part in {@code P.parts} under {@code partId(id, i)}; the manifest names each by its handle.
     */
    static byte[] storeManifest(CheckpointStorage storage, String job, String pipeline, long id, int... sizes)
            throws Exception {
        PipelineKey key = PipelineKey.of(job, pipeline);
        List<TaskState> states = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            byte[] state = new byte[sizes[i]];
            Arrays.fill(state, (byte) (id + i));
            PartCodec.Framed part = PartCodec.frame(key, id, "task-" + i, state);
            storage.store(
                    FileLayout.partsOf(key),
                    FileLayout.partId(CheckpointId.of(id), i),
                    new ByteArrayInputStream(part.toBytes()));
            states.add(TaskState.of("task-" + i, part.handle(1 << 20, new int[1], "member-1")));
        }
        byte[] blob = SnapshotCodec.encode(new CompletedCheckpoint(
                key,
                CheckpointId.of(id),
                CheckpointType.CHECKPOINT,
                T0 + id * 1000,
                T0 + id * 1000 + 250,
                states,
                Map.of(CompletedCheckpoint.META_ATTEMPT, "1")));
        storage.store(key, CheckpointId.of(id), new ByteArrayInputStream(blob));
        return blob;
    }

    /** Everything stored: {@code job/pipeline/id} to its bytes, as a string for equality. */
    static Map<String, String> contents(CheckpointStorage storage) throws Exception {
        Map<String, String> all = new TreeMap<>();
        for (JobId job : storage.jobs()) {
            for (PipelineKey pipeline : storage.pipelines(job)) {
                for (CheckpointId id : storage.list(pipeline)) {
                    byte[] bytes = storage.load(pipeline, id).orElseThrow();
                    all.put(job + "/" + pipeline.pipeline() + "/" + id, Arrays.toString(bytes));
                }
            }
        }
        return all;
    }

    /** The engine's checkpoint id lease of a pipeline (see {@link FileLayout#idsOf}): not a checkpoint. */
    static void storeIdLease(CheckpointStorage storage, String job, String pipeline, long upTo) throws Exception {
        storage.store(
                FileLayout.idsOf(PipelineKey.of(job, pipeline)),
                CheckpointId.of(upTo),
                new ByteArrayInputStream(("ids up to " + upTo + "\n").getBytes(StandardCharsets.US_ASCII)));
    }

    /** The file of a checkpoint on the local disk, for both local plugins (see {@link FileLayout}). */
    static Path file(Path namespace, String job, String pipeline, long id) {
        return namespace.resolve(job).resolve(pipeline).resolve(FileLayout.fileName(CheckpointId.of(id)));
    }

    /** Flips every bit of one byte of a file, as a disk error would. */
    static void flipByte(Path file, int offset) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        bytes[offset] = (byte) ~bytes[offset];
        Files.write(file, bytes);
    }
}
