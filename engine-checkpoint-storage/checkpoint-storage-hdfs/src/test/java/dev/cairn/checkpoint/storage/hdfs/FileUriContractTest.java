package dev.cairn.checkpoint.storage.hdfs;

import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.tck.CheckpointStorageContract;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The hdfs plugin with {@code storage.type: hdfs} and {@code fs.defaultFS: file:///} (seed 07). */
class FileUriContractTest extends CheckpointStorageContract {
    @TempDir
    static Path root;

    @Override
    protected CheckpointStorageFactory factory() {
        return new HdfsStorageFactory();
    }

    @Override
    protected Map<String, String> pluginConfig(String namespace) {
        return Map.of(
                "storage.type", "hdfs",
                "fs.defaultFS", "file:///",
                "namespace", root.resolve(namespace).toString());
    }
}
