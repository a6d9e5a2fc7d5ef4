package dev.cairn.cli;

import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.JobId;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cairn checkpoints list [--job ID] [--json]}: every stored checkpoint with its job,
 * pipeline, id, type, size, completion time (ISO-8601, UTC) and whether it verifies ({@code ok} or
 * why not), as an aligned table or, with {@code --json}, a JSON array of objects.
 *
 * <p>Exit status: 0 when listed, also when there are none or some do not verify ({@code verify}
 * is the command that fails on those); 1 if the storage cannot be read; 2 for a usage or
 * configuration problem.
 */
@Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = {
            "Lists the stored checkpoints, with type, size, completion time and verification.",
            "Savepoints of pipeline P (stored as P.savepoints) show as pipeline P, type SAVEPOINT. Times are"
                    + " ISO-8601 UTC; VERIFIED is ok or why not.",
            "Exit status: 0 listed (even if some do not verify), 1 storage failure, 2 usage."
        })
final class CheckpointsList extends StorageCommand {
    private static final String[] HEADINGS = {"JOB", "PIPELINE", "ID", "TYPE", "SIZE", "COMPLETED", "VERIFIED"};
    private static final boolean[] RIGHT_ALIGNED = {false, false, true, false, true, false, false};

    @Option(names = "--job", paramLabel = "ID", description = "Only this job's checkpoints.")
    String job;

    @Option(names = "--json", description = "Print a JSON array of objects instead of a table.")
    boolean json;

    private record Row(StoredCheckpoint where, Verdict verdict) {
        /** Completion time, ISO-8601 UTC, or {@code null} if the checkpoint does not decode. */
        String completedAt() {
            return verdict.checkpoint() == null
                    ? null
                    : Instant.ofEpochMilli(verdict.checkpoint().completedAt()).toString();
        }

        String[] cells() {
            return new String[] {
                where.job().value(),
                where.pipeline(),
                where.id().toString(),
                where.type().name(),
                verdict.size() < 0 ? "-" : Long.toString(verdict.size()),
                completedAt() == null ? "-" : completedAt(),
                verdict.status()
            };
        }
    }

    @Override
    void checkArguments() {
        if (job != null) {
            StoredCheckpoint.jobArgument(job);
        }
    }

    @Override
    int run(StorageSession storage, PrintWriter out, PrintWriter err) throws CheckpointStorageException {
        Optional<JobId> jobId = Optional.ofNullable(job).map(StoredCheckpoint::jobArgument);
        List<Row> rows = new ArrayList<>();
        for (StoredCheckpoint checkpoint : storage.checkpoints(jobId).stream()
                .sorted(StoredCheckpoint.DISPLAY_ORDER)
                .toList()) {
            rows.add(new Row(checkpoint, storage.verify(checkpoint)));
        }
        if (json) {
            printJson(rows, out);
        } else if (rows.isEmpty()) {
            out.println("no checkpoints" + (job == null ? "" : " of job " + job) + " in " + storage);
        } else {
            out.println("checkpoints in " + storage + ":");
            printTable(rows, out);
            long bad = rows.stream().filter(r -> !r.verdict().ok()).count();
            long bytes = rows.stream()
                    .mapToLong(r -> Math.max(0, r.verdict().size()))
                    .sum();
            out.printf(
                    "%s, %d bytes%s%n",
                    count(rows.size(), "checkpoint"),
                    bytes,
                    bad == 0 ? "" : "; " + bad + " do not verify (cairn checkpoints verify says why)");
        }
        return 0;
    }

    private static void printTable(List<Row> rows, PrintWriter out) {
        List<String[]> lines = new ArrayList<>();
        lines.add(HEADINGS);
        rows.forEach(r -> lines.add(r.cells()));
        int[] widths = new int[HEADINGS.length];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        for (String[] line : lines) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                String pad = " ".repeat(widths[i] - line[i].length());
                if (i > 0) {
                    sb.append("  ");
                }
                sb.append(RIGHT_ALIGNED[i] ? pad + line[i] : line[i] + (i == line.length - 1 ? "" : pad));
            }
            out.println(sb);
        }
    }

    private static void printJson(List<Row> rows, PrintWriter out) {
        out.print('[');
        String separator = "\n  ";
        for (Row row : rows) {
            StoredCheckpoint where = row.where();
            Verdict verdict = row.verdict();
            out.print(separator);
            out.print("{\"job\": " + string(where.job().value())
                    + ", \"pipeline\": " + string(where.pipeline())
                    + ", \"storedAs\": " + string(where.location().pipeline())
                    + ", \"id\": " + where.id().value()
                    + ", \"type\": " + string(where.type().name())
                    + ", \"size\": " + (verdict.size() < 0 ? "null" : verdict.size())
                    + ", \"completedAt\": " + string(row.completedAt())
                    + ", \"verified\": " + string(verdict.status())
                    + ", \"problem\": " + string(verdict.problem()) + "}");
            separator = ",\n  ";
        }
        out.println(rows.isEmpty() ? "]" : "\n]");
    }

    /** A JSON string literal, or {@code null}. */
    static String string(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
