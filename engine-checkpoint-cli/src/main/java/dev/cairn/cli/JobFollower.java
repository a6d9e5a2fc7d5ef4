package dev.cairn.cli;

import dev.cairn.checkpoint.api.JobHandle;
import dev.cairn.checkpoint.api.JobResult;
import dev.cairn.checkpoint.api.JobStatus;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Follows a job to its end: a progress line while it runs (in place on a terminal, else every 2 s),
 * and a line for each restore and each warning the job's record carries. The end comes from the
 * job's handle, not from the progress lines.
 */
final class JobFollower {
    private static final long PRINT_EVERY_MILLIS = 2_000;

    private final PrintWriter out;
    private final Function<JobStatus, String> line;
    private final boolean terminal = System.console() != null;

    /** @param line the progress line of a status */
    JobFollower(PrintWriter out, Function<JobStatus, String> line) {
        this.out = out;
        this.line = line;
    }

    JobResult follow(JobHandle job) throws InterruptedException {
        CompletableFuture<JobResult> end = job.result();
        long lastPrint = 0;
        String restoredShown = "nothing";
        String warningShown = null;
        while (true) {
            JobResult result = poll(end);
            Optional<JobStatus> now = result != null ? Optional.of(result.status()) : job.status();
            if (now.isPresent()) {
                JobStatus status = now.get();
                if (!status.restoredFrom().isEmpty() && !status.restoredFrom().equals(restoredShown)) {
                    restoredShown = status.restoredFrom(); // a resumed job, or a restart after a failure
                    printLine("restored from " + restoredShown);
                }
                if (status.warning() != null && !status.warning().equals(warningShown)) {
                    warningShown = status.warning();
                    printLine("note: " + warningShown);
                }
                long millis = System.currentTimeMillis();
                if (result != null || terminal || millis - lastPrint >= PRINT_EVERY_MILLIS) {
                    String progress = line.apply(status);
                    out.print(terminal ? "\r" + progress + "   " : progress + System.lineSeparator());
                    out.flush();
                    lastPrint = millis;
                }
            }
            if (result != null) {
                if (terminal) {
                    out.println();
                }
                return result;
            }
        }
    }

    /** The result if the job ends within a moment (the pace of the progress line), else null. */
    private JobResult poll(CompletableFuture<JobResult> end) throws InterruptedException {
        try {
            return end.get(terminal ? 200 : 250, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            throw Refusals.rethrow(e.getCause());
        }
    }

    private void printLine(String text) {
        out.print((terminal ? "\r" : "") + text + (terminal ? " ".repeat(40) : "") + System.lineSeparator());
        out.flush();
    }

    /** The progress line of any job: state, records, checkpoints completed and committed, storage. */
    static String progress(JobStatus r, String records) {
        return String.format(
                Locale.ROOT,
                "%s: %s | checkpoints %d completed%s, %d committed%s | storage owes %d%s%s",
                r.state().name().toLowerCase(Locale.ROOT),
                records,
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

    static String progress(JobStatus r) {
        return progress(r, String.format(Locale.ROOT, "%,d records committed", r.recordsCommitted()));
    }

    static String bytes(long n) {
        return n < 1024
                ? n + " B"
                : n < 1 << 20
                        ? String.format(Locale.ROOT, "%.1f KiB", n / 1024.0)
                        : String.format(Locale.ROOT, "%.1f MiB", n / 1048576.0);
    }
}
