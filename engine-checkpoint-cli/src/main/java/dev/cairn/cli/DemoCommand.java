package dev.cairn.cli;

import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.RestoreRequest;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.cluster.CairnClient;
import dev.cairn.checkpoint.cluster.CairnMember;
import dev.cairn.checkpoint.cluster.Messages;
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
import java.util.function.Function;
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
            paramLabel = "HOST:PORT[,HOST:PORT...]",
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

    /** Where the demo submits and follows its job. */
    private interface Engine extends AutoCloseable {
        Messages.Reply submit(JobSpec job, RestoreRequest restore) throws Exception;

        JobStatus job(String id);

        @Override
        void close();
    }

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
        try (Engine engine = cluster == null ? local() : remote()) {
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
            Messages.Reply reply = engine.submit(job, restore);
            if (!reply.ok()) {
                throw new CliException(Cairn.EXIT_INVALID, "the job was refused: " + reply.message());
            }
            JobStatus done = follow(engine, id, out);
            warning = done.warning();
            if (done.state() == JobState.FAILED) {
                throw new CliException(Cairn.EXIT_FAILED, "job " + id + " failed: " + done.message());
            }
            if (done.state() == JobState.CANCELLED) {
                out.printf("job %s was %s; resume it with: %s%n", id, done.message(), resume);
                return 0;
            }
            if (done.message().startsWith("finished before")) {
                out.printf("job %s had already finished; nothing new was run or written%n", id);
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

    private JobStatus follow(Engine engine, String id, PrintWriter out) throws InterruptedException {
        boolean terminal = System.console() != null;
        long lastPrint = 0;
        String restoredShown = "nothing";
        String warningShown = null;
        while (true) {
            JobStatus record = engine.job(id);
            long now = System.currentTimeMillis();
            if (record != null
                    && !record.restoredFrom().isEmpty()
                    && !record.restoredFrom().equals(restoredShown)) {
                restoredShown = record.restoredFrom(); // a resumed job, or a restart after a failure
                out.print((terminal ? "\r" : "") + "restored from " + restoredShown + (terminal ? " ".repeat(60) : "")
                        + System.lineSeparator());
            }
            if (record != null && record.warning() != null && !record.warning().equals(warningShown)) {
                warningShown = record.warning();
                out.print((terminal ? "\r" : "") + "note: " + warningShown + (terminal ? " ".repeat(20) : "")
                        + System.lineSeparator());
            }
            if (record != null && record.state().done() && record.message().startsWith("finished before")) {
                return record;
            }
            if (record != null && (record.state().done() || terminal || now - lastPrint >= 2_000)) {
                String line = progress(record);
                out.print(terminal ? "\r" + line + "   " : line + System.lineSeparator());
                out.flush();
                lastPrint = now;
                if (record.state().done()) {
                    if (terminal) {
                        out.println();
                    }
                    return record;
                }
            }
            Thread.sleep(terminal ? 200 : 250);
        }
    }

    private String progress(JobStatus r) {
        return String.format(
                Locale.ROOT,
                "%s: %,d of %,d records committed (%d%%) | checkpoints %d completed%s, %d committed%s | storage owes %d%s%s",
                r.state().name().toLowerCase(Locale.ROOT),
                r.recordsCommitted(),
                records,
                records == 0 ? 100 : r.recordsCommitted() * 100 / records,
                r.checkpointsCompleted(),
                r.lastCheckpointId() < 0
                        ? ""
                        : " (last #" + r.lastCheckpointId() + ": " + r.lastCheckpointMillis() + " ms, "
                                + bytes(r.lastCheckpointBytes()) + ")",
                r.checkpointsCommitted(),
                r.lastCommittedId() < 0 ? "" : " (last #" + r.lastCommittedId() + ")",
                r.flushBacklog(),
                r.storageError() == null ? "" : " (storage failing)",
                r.restarts() > 0 ? " | restarts " + r.restarts() : "");
    }

    private static String bytes(long n) {
        return n < 1024
                ? n + " B"
                : n < 1 << 20
                        ? String.format(Locale.ROOT, "%.1f KiB", n / 1024.0)
                        : String.format(Locale.ROOT, "%.1f MiB", n / 1048576.0);
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

    private Engine local() {
        EngineConfig engine = config.load();
        CairnMember member = CairnMember.start(engine, CairnMember.localConfig(), CliPlugins.loader());
        return adapt(
                (job, restore) -> restore == null ? member.submit(job) : member.submit(job, restore),
                member::job,
                member::close);
    }

    private Engine remote() {
        CairnClient client;
        try {
            client = CairnClient.connect(cluster, clusterName);
        } catch (RuntimeException e) {
            throw new CliException(Cairn.EXIT_FAILED, "cannot reach the cluster at " + cluster + ": " + e.getMessage());
        }
        return adapt(
                (job, restore) -> restore == null ? client.submit(job) : client.submit(job, restore),
                client::job,
                client::close);
    }

    private interface Submit {
        Messages.Reply submit(JobSpec job, RestoreRequest restore) throws Exception;
    }

    private static Engine adapt(Submit submit, Function<String, JobStatus> job, Runnable close) {
        return new Engine() {
            @Override
            public Messages.Reply submit(JobSpec spec, RestoreRequest restore) throws Exception {
                return submit.submit(spec, restore);
            }

            @Override
            public JobStatus job(String id) {
                return job.apply(id);
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }
}
