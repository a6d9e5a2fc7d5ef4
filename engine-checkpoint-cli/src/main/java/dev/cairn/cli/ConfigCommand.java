package dev.cairn.cli;

import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.config.ConfigPrinter;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "config",
        description = "Work with seatunnel.yaml.",
        subcommands = {ConfigCommand.Check.class})
final class ConfigCommand {

    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = {
                "Validates seatunnel.yaml and prints the effective configuration (secrets as ******).",
                "Exit status: 0 valid, 2 invalid (one line per problem), 1 if --probe fails."
            })
    static final class Check implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Option(
                names = "--probe",
                description = "Also open the storage and time a store, load and delete of a small checkpoint.")
        boolean probe;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            EngineConfig engine = config.load();
            PrintWriter out = spec.commandLine().getOut();
            out.println("# " + config.file() + " is valid. Effective configuration:");
            out.print(ConfigPrinter.toYaml(engine));
            if (engine.checkpoint().storage().type().equals("localfile")) {
                out.println("# note: the localfile plugin is deprecated; prefer type hdfs with storage.type local");
            }
            if (probe) {
                out.flush(); // the configuration shows even if the probe fails
                probe(engine, out);
            }
            out.flush();
            return 0;
        }

        private void probe(EngineConfig engine, PrintWriter out) {
            var storageConfig = engine.checkpoint().storage();
            var factory = CheckpointStorageFactories.find(storageConfig.type(), CliPlugins.loader());
            PipelineKey pipeline = new PipelineKey(JobId.of("cairn-probe-" + UUID.randomUUID()), "probe");
            CheckpointId id = CheckpointId.of(1);
            byte[] payload = new byte[4096];
            new Random().nextBytes(payload);
            String where = null; // the storage's own description, once it is open
            try (CheckpointStorage storage = factory.create(storageConfig.pluginConfig())) {
                where = storage.toString();
                long t0 = System.nanoTime();
                storage.store(pipeline, id, new ByteArrayInputStream(payload));
                long t1 = System.nanoTime();
                byte[] loaded;
                long t2;
                try {
                    loaded = storage.load(pipeline, id)
                            .orElseThrow(() -> new CheckpointStorageException(
                                    "the probe checkpoint was stored but cannot be found"));
                    t2 = System.nanoTime();
                } finally {
                    // The probe leaves nothing behind, whatever failed after the store.
                    storage.deleteJob(pipeline.jobId());
                }
                long t3 = System.nanoTime();
                if (!Arrays.equals(payload, loaded)) {
                    throw new CheckpointStorageException("the probe checkpoint loaded back with different bytes");
                }
                out.printf(
                        Locale.ROOT,
                        "# probe ok: %s%n#   store 4 KiB %.1f ms, load %.1f ms, delete %.1f ms%n",
                        where,
                        (t1 - t0) / 1e6,
                        (t2 - t1) / 1e6,
                        (t3 - t2) / 1e6);
            } catch (CheckpointStorageException | RuntimeException | LinkageError e) {
                // Before it opened, the message names the storage itself; after, say which one. A
                // linkage error (a plugin on the class path missing a jar) is said in one line too.
                String cause = e instanceof LinkageError ? CheckpointStorageFactories.describe(e) : e.getMessage();
                throw new CliException(
                        Cairn.EXIT_FAILED,
                        where == null ? "probe failed: " + cause : "probe failed against " + where + ": " + cause);
            }
        }
    }
}
