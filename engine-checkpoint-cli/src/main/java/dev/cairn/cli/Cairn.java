package dev.cairn.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cairn} command. */
@Command(
        name = "cairn",
        mixinStandardHelpOptions = true,
        versionProvider = Cairn.Version.class,
        description = "Cairn: the checkpoint subsystem of a Hazelcast-based data-integration engine.",
        subcommands = {
            DemoCommand.class,
            MemberCommand.class,
            JobCommand.class,
            CheckpointsCommand.class,
            ConfigCommand.class,
            PluginsCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Cairn {
    /** Exit status of a configuration or usage problem. */
    public static final int EXIT_INVALID = 2;
    /** Exit status of a failure while doing the work. */
    public static final int EXIT_FAILED = 1;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given output streams; returns the exit status. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Cairn());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof CliException failure) {
                command.getErr().println(failure.getMessage());
                return failure.status();
            }
            // No stack trace for the user; the message says what failed.
            command.getErr().println("cairn: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return EXIT_FAILED;
        });
        return cli.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Cairn.class.getPackage().getImplementationVersion();
            return new String[] {"cairn " + (version == null ? "(development build)" : version)};
        }
    }
}
