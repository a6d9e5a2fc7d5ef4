package dev.cairn.cli;

import dev.cairn.checkpoint.api.CairnEngine;
import dev.cairn.checkpoint.api.CairnException;
import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.api.JobHandle;
import dev.cairn.checkpoint.api.JobResult;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.RestoreRequest;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.demo.DemoJob;
import dev.cairn.checkpoint.demo.DemoOutput;
import dev.cairn.checkpoint.storage.api.JobId;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the demo job: in this process (local mode: one embedded member, no network join) or, with
 * {@code --cluster}, on running members. Shows progress; exits 0 once every record is committed,
 * having checked the output holds each exactly once. Killed and run again with the same job id,
 * it resumes from its latest checkpoint.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a job that checkpoints; kill it and run it again: every record exactly once.",
            "The job: the integers 0..N-1 over P subtasks, a stateful transform and an exactly-once file sink.",
            "Kill it (even kill -9) and run it again with the same --job-id: it resumes from its latest",
            "checkpoint, and the output holds every integer exactly once."
        })
final class DemoCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--job-id", paramLabel = "ID", description = "Resume this job (default: a new one)")
    String jobId;

    @Option(
            names = "--records",
            paramLabel = "N",
            defaultValue = "200000",
            description = "Integers to emit (default ${DEFAULT-VALUE})")
    long records;

    @Option(
            names = "--parallelism",
            paramLabel = "P",
            defaultValue = "4",
            description = "Subtasks (default ${DEFAULT-VALUE})")
    int parallelism;

    @Option(
            names = "--rate",
            paramLabel = "R",
            defaultValue = "20000",
            description = "At most R records a second in total, 0 for no limit (default ${DEFAULT-VALUE})")
    long rate;

    @Option(
            names = "--output",
            paramLabel = "DIR",
            description = "Where committed part-* files go (default: data/demo/ID)")
    Path output;

    @Option(
            names = "--cluster",
            paramLabel = "HOST:PORT",
            split = ",",
            description = "Submit to running members instead of running in this process")
    List<String> cluster;

    @Option(
            names = "--cluster-name",
            defaultValue = "cairn",
            description = "The members' cluster name (default ${DEFAULT-VALUE})")
    String clusterName;

    @Option(
            names = "--from-savepoint",
            paramLabel = "ID",
            description = "Restore exactly this savepoint (an error if it is missing or invalid)")
    Long fromSavepoint;

    @Option(
            names = "--from-checkpoint",
            paramLabel = "ID",
            description = "Restore exactly this checkpoint (an error if it is missing or invalid)")
    Long fromCheckpoint;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (records < 0 || parallelism < 1 || rate < 0) {
            throw new CliException(
                    Cairn.EXIT_INVALID, "--records and --rate must be at least 0, --parallelism at least 1");
        }
        if (cluster != null && config.file != null) {
            throw new CliException(
                    Cairn.EXIT_INVALID,
                    "--config is for the engine in this process; with --cluster the members' own configuration applies");
        }
        if (fromSavepoint != null && fromCheckpoint != null) {
            throw new CliException(Cairn.EXIT_INVALID, "give --from-savepoint or --from-checkpoint, not both");
        }
        if ((fromSavepoint != null || fromCheckpoint != null) && jobId == null) {
            throw new CliException(Cairn.EXIT_INVALID, "restoring needs the --job-id of the job it belongs to");
        }
        RestoreRequest restore = fromSavepoint != null
                ? new RestoreRequest(CheckpointType.SAVEPOINT, fromSavepoint)
                : fromCheckpoint != null ? new RestoreRequest(CheckpointType.CHECKPOINT, fromCheckpoint) : null;
        PrintWriter out = spec.commandLine().getOut();
        String id = jobId != null ? StoredCheckpoint.jobArgument(jobId).value() : newJobId();
        Path dir = (output != null
                        ? output
                        : CairnHome.get().resolve("data").resolve("demo").resolve(id))
                .toAbsolutePath()
                .normalize();
        Map<String, String> params = new LinkedHashMap<>();
        params.put(DemoJob.RECORDS, Long.toString(records));
        params.put(DemoJob.PARALLELISM, Integer.toString(parallelism));
        params.put(DemoJob.RATE, Long.toString(rate));
        params.put(DemoJob.OUTPUT, dir.toString());
        JobSpec job = new JobSpec(JobId.of(id), DemoJob.TYPE, params);
        String resume = resumeCommand(id, dir);

        String warning;
        try (CairnEngine engine = cluster == null ? local() : ClusterOption.connect(cluster, clusterName)) {
            out.printf(
                    "job %s: %,d records, parallelism %d, %s; output %s%n",
                    id,
                    records,
                    parallelism,
                    rate == 0 ? "no rate limit" : String.format(Locale.ROOT, "%,d records/s", rate),
                    dir);
            if (jobId == null) {
                out.println("resume it after a crash with: " + resume);
            }
            out.flush();
            JobHandle handle;
            try {
                handle = restore == null ? engine.submit(job) : engine.submit(job, restore);
            } catch (CairnException e) {
                throw new CliException(Refusals.status(e.reason()), "the job was refused: " + e.getMessage());
            }
            if (restore == null
                    && handle.status().map(s -> s.state() == JobState.FINISHED).orElse(false)) {
                out.printf("job %s had already finished; nothing new was run or written%n", id);
                return 0;
            }
            JobResult done = new JobFollower(out, this::progress).follow(handle);
            if (done.status().finishedBefore()) {
                out.printf("job %s had already finished; nothing new was run or written%n", id);
                return 0;
            }
            warning = done.status().warning();
            if (done.state() == JobState.FAILED) {
                throw new CliException(
                        Cairn.EXIT_FAILED,
                        "job " + id + " failed: " + done.status().message());
            }
            if (done.state() == JobState.CANCELLED) {
                out.printf(
                        "job %s was %s; resume it with: %s%n", id, done.status().message(), resume);
                return 0;
            }
        }
        DemoOutput check = DemoOutput.check(dir, records);
        if (!check.exactlyOnce()) {
            throw new CliException(
                    Cairn.EXIT_FAILED,
                    "job " + id + " finished, but its output is not exactly once: " + check
                            + (warning == null ? "" : " (the job said why: " + warning + ")"));
        }
        out.printf("done: %,d records committed in %s, each exactly once%n", check.records, dir);
        return 0;
    }

    private String progress(JobStatus r) {
        return JobFollower.progress(
                r,
                String.format(
                        Locale.ROOT,
                        "%,d of %,d records committed (%d%%)",
                        r.recordsCommitted(),
                        records,
                        records == 0 ? 100 : r.recordsCommitted() * 100 / records));
    }

    private String resumeCommand(String id, Path dir) {
        return "bin/cairn demo --job-id " + id + " --records " + records + " --parallelism " + parallelism + " --rate "
                + rate + " --output " + dir + (config.file != null ? " --config " + config.file : "")
                + (cluster != null ? " --cluster " + String.join(",", cluster) : "");
    }

    private static String newJobId() {
        return "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                + UUID.randomUUID().toString().substring(0, 4);
    }

    private CairnEngine local() {
        EngineConfig engine = config.load();
        return CairnEngine.local(engine, CliPlugins.loader());
    }
}
