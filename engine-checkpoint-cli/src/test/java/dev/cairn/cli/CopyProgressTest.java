package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The progress of a copy, on a clock the test moves: no sleeping. */
class CopyProgressTest {
    private static final long MS = 1_000_000L;
    private static final int MB = 1_000_000;

    private final StringWriter err = new StringWriter();
    private long now;

    private CopyProgress progress(int total, boolean terminal) {
        return new CopyProgress(new PrintWriter(err), total, terminal, () -> now);
    }

    @Test
    void fewCheckpoints_getALineEach() {
        CopyProgress progress = progress(2, false);

        progress.step("copied a", 10);
        progress.step("already present: b", 10);
        progress.finish();

        assertEquals("copied a\nalready present: b\n", err.toString());
    }

    @Test
    void manyCheckpoints_getAProgressLineAtMostEvery500ms_andAFinalOne() {
        CopyProgress progress = progress(100, false);

        for (int i = 0; i < 100; i++) {
            now += 100 * MS; // one checkpoint of 1 MB every 100 ms: 10 MB/s
            progress.step("copied " + i, MB);
        }
        progress.finish();

        List<String> lines = err.toString().lines().toList();
        // the first step, then every fifth (500 ms later), then the final line
        assertEquals(1 + 19 + 1, lines.size(), err.toString());
        assertEquals("checkpoint 1/100, 1.0 of ~100.0 MB, 10.0 MB/s, ~10s left", lines.get(0));
        assertEquals("checkpoint 6/100, 6.0 of ~100.0 MB, 10.0 MB/s, ~10s left", lines.get(1));
        assertEquals("checkpoint 51/100, 51.0 of ~100.0 MB, 10.0 MB/s, ~5s left", lines.get(10));
        assertEquals("checkpoint 100/100, 100.0 of 100.0 MB, 10.0 MB/s, done", lines.get(lines.size() - 1));
    }

    @Test
    void onATerminal_theProgressLineIsRewrittenInPlace_andNotesGetTheirOwnLine() {
        CopyProgress progress = progress(30, true);

        now += 100 * MS;
        progress.step("copied 0", MB);
        progress.notedStep("bad, not copied: x", MB);
        now += 600 * MS;
        progress.step("copied 2", MB);
        progress.finish();

        String out = err.toString();
        assertTrue(
                out.startsWith("\rcheckpoint 1/30, 1.0 of ~30.0 MB, 10.0 MB/s, ~3s left\nbad, not copied: x\n"), out);
        assertTrue(out.endsWith("\rcheckpoint 3/30, 3.0 of ~30.0 MB, 4.3 MB/s, ~7s left\n"), out);
        assertEquals(3, out.chars().filter(ch -> ch == '\n').count(), out);
    }

    @Test
    void timeLeft_isReadable() {
        assertEquals("0s", CopyProgress.time(0));
        assertEquals("59s", CopyProgress.time(58.2));
        assertEquals("1m05s", CopyProgress.time(65));
        assertEquals("2h03m", CopyProgress.time(2 * 3600 + 3 * 60 + 30));
    }
}
