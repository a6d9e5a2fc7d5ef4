package dev.cairn.cli;

import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A {@code checkpoints} subcommand: checks its arguments (status 2), loads {@code --config}
 * (status 2), opens the configured storage (status 1 if it cannot), runs, and closes the storage.
 * A storage failure ends it with status 1 and the storage's message, which names the job,
 * pipeline and checkpoint involved.
 */
abstract class StorageCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        checkArguments();
        EngineConfig engine = config.load();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (StorageSession storage = StorageSession.open(engine.checkpoint().storage())) {
            return run(storage, out, err);
        } catch (CheckpointStorageException e) {
            throw new CliException(Cairn.EXIT_FAILED, e.getMessage());
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** Ends the command with status 2 (a {@link CliException}) if the arguments do not fit together. */
    void checkArguments() {}

    /** Does the work; returns the exit status. */
    abstract int run(StorageSession storage, PrintWriter out, PrintWriter err) throws CheckpointStorageException;

    /** {@code 1 checkpoint}, {@code 2 checkpoints}. */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    static CliException usage(String message) {
        return new CliException(Cairn.EXIT_INVALID, message);
    }
}
