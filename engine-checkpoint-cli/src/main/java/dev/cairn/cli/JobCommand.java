package dev.cairn.cli;

import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.cluster.CairnClient;
import dev.cairn.checkpoint.cluster.Messages;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Jobs on running members: list, cancel, savepoint. */
@Command(
        name = "job",
        description = "Jobs on running members.",
        subcommands = {JobCommand.ListJobs.class, JobCommand.Cancel.class, JobCommand.Savepoint.class})
final class JobCommand {

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Every job the cluster knows, with its state.")
    static final class ListJobs implements Callable<Integer> {
        @Mixin
        ClusterOption cluster;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (CairnClient client = cluster.connect()) {
                Map<String, JobStatus> jobs = client.jobs();
                if (jobs.isEmpty()) {
                    out.println("no jobs");
                    return 0;
                }
                out.printf(
                        "%-32s %-10s %14s %12s %8s %9s  %s%n",
                        "job", "state", "records", "checkpoints", "failed", "restarts", "last checkpoint");
                for (JobStatus job : jobs.values()) {
                    out.printf(
                            Locale.ROOT,
                            "%-32s %-10s %,14d %12d %8d %9d  %s%n",
                            job.jobId(),
                            job.state(),
                            job.recordsCommitted(),
                            job.checkpointsCompleted(),
                            job.checkpointsFailed(),
                            job.restarts(),
                            job.lastCheckpointId() < 0
                                    ? "-"
                                    : "#" + job.lastCheckpointId() + " (" + job.lastCheckpointMillis() + " ms, "
                                            + job.lastCheckpointBytes() + " B)");
                }
            }
            return 0;
        }
    }

    @Command(
            name = "cancel",
            mixinStandardHelpOptions = true,
            description = "Cancels a running job; its checkpoints stay.")
    static final class Cancel implements Callable<Integer> {
        @Mixin
        ClusterOption cluster;

        @Option(names = "--job", paramLabel = "ID", required = true, description = "The job")
        String job;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            StoredCheckpoint.jobArgument(job);
            try (CairnClient client = cluster.connect()) {
                Messages.Reply reply = client.cancel(job);
                return reply(spec, reply, reply.message());
            }
        }
    }

    @Command(
            name = "savepoint",
            mixinStandardHelpOptions = true,
            description = {
                "Takes a savepoint of a running job and waits until it is in storage.",
                "A savepoint is kept until deleted (cairn checkpoints delete), never pruned; restore it with",
                "demo --from-savepoint ID."
            })
    static final class Savepoint implements Callable<Integer> {
        @Mixin
        ClusterOption cluster;

        @Option(names = "--job", paramLabel = "ID", required = true, description = "The job")
        String job;

        @Option(names = "--stop", description = "Then cancel the job")
        boolean stop;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            StoredCheckpoint.jobArgument(job);
            try (CairnClient client = cluster.connect()) {
                Messages.Reply reply = client.savepoint(job, stop);
                return reply(spec, reply, "job " + job + ": " + reply.message());
            }
        }
    }

    private static int reply(CommandSpec spec, Messages.Reply reply, String success) {
        if (!reply.ok()) {
            throw new CliException(Cairn.EXIT_FAILED, reply.message());
        }
        spec.commandLine().getOut().println(success);
        return 0;
    }
}
