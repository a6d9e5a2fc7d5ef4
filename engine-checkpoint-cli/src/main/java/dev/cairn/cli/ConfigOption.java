package dev.cairn.cli;

import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.config.ConfigException;
import dev.cairn.checkpoint.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE}, default {@code config/seatunnel.yaml} of this installation. */
final class ConfigOption {
    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "seatunnel.yaml to use (default: config/seatunnel.yaml here, else in CAIRN_HOME)")
    Path file;

    Path file() {
        if (file != null) {
            return file;
        }
        return defaultFile("seatunnel.yaml");
    }

    /** {@code config/NAME} in the working directory if there is one, else in CAIRN_HOME. */
    static Path defaultFile(String name) {
        Path local = Path.of("config", name);
        return Files.exists(local) ? local : CairnHome.get().resolve("config").resolve(name);
    }

    /** Loads the file; a problem ends the command with one line per problem and status 2. */
    EngineConfig load() {
        try {
            return new ConfigLoader(CairnHome::env, CliPlugins.loader()).load(file());
        } catch (ConfigException e) {
            throw new CliException(Cairn.EXIT_INVALID, String.join(System.lineSeparator(), e.problems()));
        }
    }
}
