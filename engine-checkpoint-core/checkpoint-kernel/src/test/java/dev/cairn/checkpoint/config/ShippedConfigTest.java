package dev.cairn.checkpoint.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.checkpoint.api.config.CheckpointConfig;
import dev.cairn.checkpoint.api.config.ConfigCatalogue;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.api.config.StorageConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files under config/ load, and seatunnel.yaml states the catalogue's defaults. */
class ShippedConfigTest {
    private static final Path CONFIG = Path.of("..", "..", "config");

    @Test
    void seatunnelYaml_isTheDefaults_butForWhatItSaysItSets() throws Exception {
        ConfigLoader loader = new ConfigLoader(
                Map.of("CAIRN_HOME", "/opt/cairn")::get, getClass().getClassLoader());

        EngineConfig loaded = loader.load(CONFIG.resolve("seatunnel.yaml"));

        EngineConfig defaults = ConfigCatalogue.defaults();
        CheckpointConfig c = defaults.checkpoint();
        EngineConfig expected = defaults.withCheckpoint(new CheckpointConfig(
                Duration.ofMillis(2000), // set here, for the demo
                c.timeout(),
                c.minPause(),
                c.maxConcurrent(),
                c.tolerableFailures(),
                new StorageConfig(
                        c.storage().type(),
                        c.storage().maxRetained(),
                        Map.of("storage.type", "local", "namespace", "/opt/cairn/data/checkpoint/"))));
        assertEquals(expected, loaded);
    }

    @Test
    void everyExample_loads(@TempDir Path dir) throws Exception {
        Path keytab = Files.write(dir.resolve("cairn.keytab"), new byte[] {5});
        Map<String, String> env = Map.of(
                "CAIRN_KEYTAB", keytab.toString(),
                "AWS_ACCESS_KEY_ID", "id",
                "AWS_SECRET_ACCESS_KEY", "secret",
                "OSS_ACCESS_KEY_ID", "id",
                "OSS_ACCESS_KEY_SECRET", "secret");
        ConfigLoader loader = new ConfigLoader(env::get, getClass().getClassLoader());
        List<Path> examples;
        try (Stream<Path> files = Files.list(CONFIG.resolve("examples"))) {
            examples =
                    files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }

        assertEquals(8, examples.size(), examples.toString());
        for (Path example : examples) {
            loader.load(example);
        }
    }
}
