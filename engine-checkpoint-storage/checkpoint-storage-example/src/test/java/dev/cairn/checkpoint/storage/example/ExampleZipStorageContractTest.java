package dev.cairn.checkpoint.storage.example;

import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.tck.CheckpointStorageContract;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The whole storage contract, run against the example plugin: one class per backend. */
class ExampleZipStorageContractTest extends CheckpointStorageContract {
    @TempDir
    static Path root;

    @Override
    protected CheckpointStorageFactory factory() {
        return new ExampleZipStorageFactory();
    }

    @Override
    protected Map<String, String> pluginConfig(String namespace) {
        return Map.of("directory", root.resolve(namespace).toString());
    }
}
