package dev.cairn.checkpoint.storage.hdfs;

import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.tck.CheckpointStorageContract;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The hdfs plugin on the local disk: {@code storage.type: local}. */
class LocalDiskContractTest extends CheckpointStorageContract {
    @TempDir
    static Path root;

    @Override
    protected CheckpointStorageFactory factory() {
        return new HdfsStorageFactory();
    }

    @Override
    protected Map<String, String> pluginConfig(String namespace) {
        return Map.of("storage.type", "local", "namespace", root.resolve(namespace) + "/");
    }
}
