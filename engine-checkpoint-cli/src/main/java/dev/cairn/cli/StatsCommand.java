package dev.cairn.cli;

import dev.cairn.checkpoint.api.CairnEngine;
import dev.cairn.checkpoint.api.CheckpointStats;
import dev.cairn.checkpoint.api.JobStatus;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cairn checkpoints stats --cluster HOST:PORT [--job ID]}: statistics of running jobs. */
@Command(
        name = "stats",
        mixinStandardHelpOptions = true,
        description = "Checkpoint statistics of jobs on running members: counters and the recent history.")
final class StatsCommand implements Callable<Integer> {
    @Mixin
    ClusterOption cluster;

    @Option(names = "--job", paramLabel = "ID", description = "Only this job")
    String job;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (job != null) {
            StoredCheckpoint.jobArgument(job);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (CairnEngine engine = cluster.connect()) {
            Map<String, JobStatus> all = new TreeMap<>();
            JobCommand.list(engine).forEach(r -> all.put(r.jobId(), r));
            Map<String, JobStatus> jobs = all;
            if (job != null) {
                JobStatus record = jobs.get(job);
                if (record == null) {
                    throw new CliException(Cairn.EXIT_FAILED, "no job " + job + " in the cluster");
                }
                jobs = Map.of(job, record);
            }
            if (jobs.isEmpty()) {
                out.println("no jobs");
            }
            jobs.values().forEach(r -> print(out, r));
        }
        return 0;
    }

    private static void print(PrintWriter out, JobStatus job) {
        out.printf(
                Locale.ROOT,
                "job %s: %s%s | %d completed, %d committed (after %s), %d failed, %d restored | storage owes %d"
                        + " | %,d records committed%n",
                job.jobId(),
                job.state(),
                job.message().isEmpty() ? "" : " (" + job.message() + ")",
                job.checkpointsCompleted(),
                job.checkpointsCommitted(),
                job.commitAfter(),
                job.checkpointsFailed(),
                job.restores(),
                job.flushBacklog(),
                job.recordsCommitted());
        if (job.storageError() != null) {
            out.println("  storage failing: " + job.storageError());
        }
        if (job.warning() != null) {
            out.println("  note: " + job.warning());
        }
        if (job.history().isEmpty()) {
            return;
        }
        out.printf(
                "  %-10s %8s %-10s %-24s %9s %10s %-16s %8s %-10s %10s  %s%n",
                "pipeline",
                "id",
                "type",
                "triggered",
                "duration",
                "bytes",
                "slowest ack",
                "ack ms",
                "status",
                "flush ms",
                "reason");
        for (CheckpointStats s : job.history()) {
            out.printf(
                    Locale.ROOT,
                    "  %-10s %8d %-10s %-24s %7d ms %10d %-16s %8d %-10s %10s  %s%n",
                    s.pipeline(),
                    s.id(),
                    s.type().name().toLowerCase(Locale.ROOT),
                    Instant.ofEpochMilli(s.triggeredAt()),
                    s.durationMillis(),
                    s.stateSize(),
                    s.slowestTask() == null ? "-" : s.slowestTask(),
                    s.slowestAckMillis(),
                    !s.completed() ? "failed" : s.committedAt() >= 0 ? "committed" : "completed",
                    s.flushMillis() >= 0 ? Long.toString(s.flushMillis()) : s.completed() ? "-" : "",
                    s.completed() ? "" : s.reason() + ": " + s.detail());
        }
    }
}
