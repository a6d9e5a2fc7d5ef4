package dev.cairn.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The progress of {@code checkpoints copy}, on stderr. A copy of few checkpoints gets one line per
 * checkpoint; a longer one a progress line (checkpoints and bytes done, of a total extrapolated
 * from the sizes seen so far, since the storage cannot tell a size without reading the bytes; rate;
 * estimated time left) at most every {@link #INTERVAL_NANOS}, rewritten in place with {@code \r}
 * on a terminal, as plain lines otherwise. Notes (bad checkpoints and the like) always get a line.
 */
final class CopyProgress {
    /** Up to this many checkpoints, one line each instead of a progress line. */
    static final int FEW = 20;
    /** At most one progress line per this many nanoseconds. */
    static final long INTERVAL_NANOS = 500_000_000L;

    private final PrintWriter err;
    private final int total;
    private final boolean terminal;
    private final LongSupplier nanoClock;
    private final long start;
    private long lastPrinted;
    private boolean printedAny;
    private int lineLength;
    private int done;
    private long bytes;

    /**
     * @param total checkpoints to go through
     * @param terminal whether stderr is a terminal ({@code System.console() != null}): rewrite one line
     * @param nanoClock {@link System#nanoTime}, or a test's clock
     */
    CopyProgress(PrintWriter err, int total, boolean terminal, LongSupplier nanoClock) {
        this.err = err;
        this.total = total;
        this.terminal = terminal;
        this.nanoClock = nanoClock;
        this.start = nanoClock.getAsLong();
    }

    private boolean perCheckpoint() {
        return total <= FEW;
    }

    /** One checkpoint gone through, of {@code size} bytes; {@code what} says what became of it. */
    void step(String what, long size) {
        count(size);
        if (perCheckpoint()) {
            line(what);
        } else {
            progressIfDue();
        }
    }

    /** Like {@link #step}, but {@code what} gets its own line whatever the mode (a bad checkpoint). */
    void notedStep(String what, long size) {
        count(size);
        line(what);
        if (!perCheckpoint()) {
            progressIfDue();
        }
    }

    /** A line of its own, whatever the mode. */
    void note(String line) {
        line(line);
    }

    private void count(long size) {
        done++;
        bytes += size;
    }

    private void line(String line) {
        endLine();
        err.println(line);
        err.flush();
    }

    private void progressIfDue() {
        long now = nanoClock.getAsLong();
        if (!printedAny || now - lastPrinted >= INTERVAL_NANOS) {
            printProgress(now);
        }
    }

    /** The final progress line, then the cursor on a fresh line. */
    void finish() {
        if (!perCheckpoint() && done > 0) {
            printProgress(nanoClock.getAsLong());
        }
        endLine();
    }

    private void printProgress(long now) {
        String line = progressLine(now);
        if (terminal) {
            err.print('\r' + line + " ".repeat(Math.max(0, lineLength - line.length())));
            lineLength = line.length();
        } else {
            err.println(line);
        }
        err.flush();
        lastPrinted = now;
        printedAny = true;
    }

    private void endLine() {
        if (terminal && lineLength > 0) {
            err.println();
            lineLength = 0;
        }
    }

    /** {@code checkpoint 120/500, 60.2 of ~250.8 MB, 45.3 MB/s, ~4s left}. */
    String progressLine(long now) {
        double seconds = Math.max(1e-9, (now - start) / 1e9);
        double rate = bytes / seconds; // bytes per second
        long estimatedTotal = done == 0 ? bytes : Math.round((double) bytes / done * total);
        String left = done >= total ? "done" : rate <= 0 ? "?" : "~" + time((estimatedTotal - bytes) / rate) + " left";
        return String.format(
                Locale.ROOT,
                "checkpoint %d/%d, %.1f of %s%.1f MB, %.1f MB/s, %s",
                done,
                total,
                bytes / 1e6,
                done >= total ? "" : "~",
                estimatedTotal / 1e6,
                rate / 1e6,
                left);
    }

    static String time(double seconds) {
        long s = Math.round(Math.ceil(seconds));
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
    }
}
