package com.acme.itdir;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/** One file per checkpoint, {directory}/{job}/{pipeline}/{id}.ckpt: small, for a test. */
final class DirStorage implements CheckpointStorage {
    private final Path root;
    private final String version;

    DirStorage(Path root, String version) {
        this.root = root;
        this.version = version;
    }

    private Path dir(PipelineKey p) {
        return root.resolve(p.jobId().value()).resolve(p.pipeline());
    }

    private static CheckpointStorageException failed(String what, Exception e) {
        return new CheckpointStorageException("it-dir cannot " + what + ": " + e, e);
    }

    @Override
    public void store(PipelineKey pipeline, CheckpointId id, InputStream data) throws CheckpointStorageException {
        try {
            Files.createDirectories(dir(pipeline));
            Path temp = dir(pipeline).resolve("." + UUID.randomUUID() + ".tmp");
            Files.copy(data, temp);
            Files.move(temp, dir(pipeline).resolve(FileLayout.fileName(id)), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw failed("store", e);
        }
    }

    @Override
    public Optional<byte[]> load(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException {
        try {
            return Optional.of(Files.readAllBytes(dir(pipeline).resolve(FileLayout.fileName(id))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw failed("load", e);
        }
    }

    private static List<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public List<CheckpointId> list(PipelineKey pipeline) throws CheckpointStorageException {
        try {
            return names(dir(pipeline)).stream()
                    .flatMap(n -> FileLayout.parseFileName(n).stream())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw failed("list", e);
        }
    }

    @Override
    public List<PipelineKey> pipelines(JobId job) throws CheckpointStorageException {
        try {
            return names(root.resolve(job.value())).stream()
                    .flatMap(n -> FileLayout.parsePipelineDirectory(job, n).stream())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw failed("list pipelines", e);
        }
    }

    @Override
    public List<JobId> jobs() throws CheckpointStorageException {
        try {
            return names(root).stream()
                    .flatMap(n -> FileLayout.parseJobDirectory(n).stream())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw failed("list jobs", e);
        }
    }

    @Override
    public void delete(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException {
        try {
            Files.deleteIfExists(dir(pipeline).resolve(FileLayout.fileName(id)));
        } catch (IOException e) {
            throw failed("delete", e);
        }
    }

    @Override
    public void deleteJob(JobId job) throws CheckpointStorageException {
        Path dir = root.resolve(job.value());
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw failed("delete job", e);
        }
    }

    @Override
    public void close() {}

    @Override
    public String toString() {
        return "it-dir " + version + " at " + root;
    }
}
