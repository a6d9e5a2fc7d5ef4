package dev.cairn.checkpoint.storage.localfile;

import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.tck.CheckpointStorageContract;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

class LocalFileStorageContractTest extends CheckpointStorageContract {
    @TempDir
    static Path root;

    @Override
    protected CheckpointStorageFactory factory() {
        return new LocalFileStorageFactory();
    }

    @Override
    protected Map<String, String> pluginConfig(String namespace) {
        return Map.of("namespace", root.resolve(namespace) + "/");
    }
}
