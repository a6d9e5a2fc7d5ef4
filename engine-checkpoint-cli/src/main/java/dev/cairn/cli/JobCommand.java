package dev.cairn.cli;

import dev.cairn.checkpoint.api.CairnEngine;
import dev.cairn.checkpoint.api.CairnException;
import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.api.JobHandle;
import dev.cairn.checkpoint.api.JobResult;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.RestoreRequest;
import java.io.PrintWriter;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Jobs: submit one to running members or run one in this process, and follow it; list, cancel, save. */
@Command(
        name = "job",
        mixinStandardHelpOptions = true,
        description = "Jobs: submit or run one and follow it to its end; list, cancel, savepoint.",
        subcommands = {
            JobCommand.Submit.class,
            JobCommand.Run.class,
            JobCommand.ListJobs.class,
            JobCommand.Cancel.class,
            JobCommand.Savepoint.class
        })
final class JobCommand {
    /** Exit status of a followed job that was cancelled (by someone else, or a savepoint with --stop). */
    static final int EXIT_CANCELLED = 3;

    /** What {@code job submit} and {@code job run} share: the job and where it restores from. */
    static final class JobOptions {
        @Option(names = "--type", paramLabel = "TYPE", required = true, description = "The job type (its definition)")
        String type;

        @Option(
                names = {"-p", "--param"},
                paramLabel = "KEY=VALUE",
                description = "A parameter of the job; repeat for more")
        Map<String, String> params = new LinkedHashMap<>();

        @Option(
                names = "--job-id",
                paramLabel = "ID",
                description = "The job's id: resumes that job from its latest checkpoint (default: a new job)")
        String jobId;

        // Plain options rather than an exclusive group: picocli lists a group's options twice in the
        // help of a command that mixes them in.
        @Option(
                names = "--from-savepoint",
                paramLabel = "ID",
                description = "Restore exactly this savepoint (the job fails if it is missing or unusable)")
        Long savepoint;

        @Option(
                names = "--from-checkpoint",
                paramLabel = "ID",
                description = "Restore exactly this checkpoint (the job fails if it is missing or unusable)")
        Long checkpoint;

        JobSpec spec() {
            if (savepoint != null && checkpoint != null) {
                throw new CliException(Cairn.EXIT_INVALID, "give --from-savepoint or --from-checkpoint, not both");
            }
            if ((savepoint != null || checkpoint != null) && jobId == null) {
                throw new CliException(Cairn.EXIT_INVALID, "restoring needs the --job-id of the job it belongs to");
            }
            String id = jobId != null
                    ? StoredCheckpoint.jobArgument(jobId).value()
                    : type.replaceAll("[^A-Za-z0-9_-]", "_") + "-"
                            + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                            + UUID.randomUUID().toString().substring(0, 4);
            return new JobSpec(StoredCheckpoint.jobArgument(id), type, params);
        }

        RestoreRequest restore() {
            return savepoint != null
                    ? new RestoreRequest(CheckpointType.SAVEPOINT, savepoint)
                    : checkpoint != null ? new RestoreRequest(CheckpointType.CHECKPOINT, checkpoint) : null;
        }
    }

    /** Submits (or resumes) a job, then follows it; the exit status says how it ended. */
    static int run(
            CairnEngine engine, JobSpec spec, RestoreRequest restore, boolean detach, String where, PrintWriter out)
            throws InterruptedException {
        JobHandle job;
        try {
            job = restore == null ? engine.submit(spec) : engine.submit(spec, restore);
        } catch (CairnException e) {
            throw new CliException(
                    Refusals.status(e.reason()), "job " + spec.jobId() + " was refused: " + e.getMessage());
        }
        out.printf(
                "job %s (%s) submitted %s%s%n",
                spec.jobId(), spec.type(), where, restore == null ? "" : ", restoring " + restore);
        out.flush();
        if (detach) {
            return 0;
        }
        JobResult end = new JobFollower(out, JobFollower::progress).follow(job);
        JobStatus last = end.status();
        switch (end.state()) {
            case FINISHED -> {
                if (last.finishedBefore()) {
                    out.printf("job %s had already finished; nothing new was run%n", spec.jobId());
                    return 0;
                }
                out.printf(
                        Locale.ROOT, "job %s finished: %,d records committed%n", spec.jobId(), last.recordsCommitted());
                return 0;
            }
            case CANCELLED -> {
                out.printf("job %s was %s; resume it with --job-id %s%n", spec.jobId(), last.message(), spec.jobId());
                return EXIT_CANCELLED;
            }
            default -> throw new CliException(
                    Cairn.EXIT_FAILED,
                    "job " + spec.jobId() + " failed"
                            + end.failure().map(f -> " (" + f.reason() + ")").orElse("") + ": "
                            + end.failure().map(f -> f.message()).orElse(last.message()));
        }
    }

    @Command(
            name = "submit",
            mixinStandardHelpOptions = true,
            description = {
                "Submits a job to running members and follows it to its end (or resumes it: same --job-id).",
                "Exit status: 0 finished, 1 failed (or could not be followed), 2 refused as invalid"
                        + " (unknown type, bad parameter), 3 cancelled.",
                "Interrupting the command (Ctrl-C) leaves the job running."
            })
    static final class Submit implements Callable<Integer> {
        @Mixin
        ClusterOption cluster;

        @Mixin
        JobOptions job;

        @Option(names = "--detach", description = "Return once the job is accepted instead of following it")
        boolean detach;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            JobSpec submitted = job.spec(); // bad options end the command before it connects
            RestoreRequest restore = job.restore();
            try (CairnEngine engine = cluster.connect()) {
                return run(
                        engine,
                        submitted,
                        restore,
                        detach,
                        "to " + cluster.addresses,
                        spec.commandLine().getOut());
            }
        }
    }

    @Command(
            name = "run",
            mixinStandardHelpOptions = true,
            description = {
                "Runs a job in this process (local mode) and follows it to its end. Killed and run again with"
                        + " the same --job-id, it resumes from its latest checkpoint.",
                "Exit status: 0 finished, 1 failed, 2 refused as invalid (unknown type, bad parameter)."
            })
    static final class Run implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Mixin
        JobOptions job;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            JobSpec submitted = job.spec(); // bad options end the command before an engine starts
            RestoreRequest restore = job.restore();
            try (CairnEngine engine = CairnEngine.local(config.load(), CliPlugins.loader())) {
                return run(
                        engine,
                        submitted,
                        restore,
                        false,
                        "in this process",
                        spec.commandLine().getOut());
            }
        }
    }

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
            try (CairnEngine engine = cluster.connect()) {
                List<JobStatus> jobs = list(engine);
                if (jobs.isEmpty()) {
                    out.println("no jobs");
                    return 0;
                }
                out.printf(
                        "%-32s %-10s %14s %12s %8s %9s  %s%n",
                        "job", "state", "records", "checkpoints", "failed", "restarts", "last checkpoint");
                for (JobStatus job : jobs) {
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
                    if (job.failure() != null) {
                        out.printf(
                                "  failed (%s): %s%n",
                                job.failure().reason(), job.failure().message());
                    }
                }
            }
            return 0;
        }
    }

    static List<JobStatus> list(CairnEngine engine) {
        try {
            return engine.jobs();
        } catch (CairnException e) {
            throw Refusals.toCli(e);
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
            try (CairnEngine engine = cluster.connect()) {
                JobHandle handle = handle(engine, job);
                JobResult end = Refusals.await(handle.cancel());
                spec.commandLine()
                        .getOut()
                        .println("job " + job + " " + end.status().message());
                return 0;
            }
        }
    }

    @Command(
            name = "savepoint",
            mixinStandardHelpOptions = true,
            description = {
                "Takes a savepoint of a running job and waits until it is in storage.",
                "A savepoint is kept until deleted (cairn checkpoints delete), never pruned; restore it with",
                "job submit --job-id ID --from-savepoint N (or demo --from-savepoint N)."
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
            try (CairnEngine engine = cluster.connect()) {
                dev.cairn.checkpoint.api.Savepoint saved =
                        Refusals.await(handle(engine, job).savepoint(stop));
                spec.commandLine()
                        .getOut()
                        .println("job " + job + ": "
                                + saved.ids().entrySet().stream()
                                        .map(e -> "pipeline " + e.getKey() + ": savepoint " + e.getValue())
                                        .collect(Collectors.joining(", "))
                                + (stop ? "; job stopped" : ""));
                return 0;
            }
        }
    }

    /** The job's handle; a job the cluster does not know is not running. */
    private static JobHandle handle(CairnEngine engine, String job) {
        try {
            return engine.job(StoredCheckpoint.jobArgument(job))
                    .orElseThrow(() -> new CliException(Cairn.EXIT_FAILED, "job " + job + " is not running"));
        } catch (CairnException e) {
            throw Refusals.toCli(e);
        }
    }
}
