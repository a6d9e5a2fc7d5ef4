package dev.cairn.checkpoint.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's sink is a plain, strict two-phase-commit sink: it compensates for nothing. */
class ExactlyOnceFileSinkTest {
    @TempDir
    Path output;

    @Test
    void restore_commitsTheRestoredCheckpointsTransactions_andDiscardsTheRest() throws Exception {
        ExactlyOnceFileSink before = new ExactlyOnceFileSink(output, "job", "1", 0, 1);
        before.restore(null);
        before.write(0L);
        byte[] state = before.snapshot(6); // pre-committed for 6, never told committed
        before.write(1L); // in progress, never pre-committed
        before.snapshot(7); // pre-committed for 7, which is not restored from
        // a crash: close() is never called

        ExactlyOnceFileSink after = new ExactlyOnceFileSink(output, "job", "1", 0, 2);
        after.restore(state);

        DemoOutput check = DemoOutput.check(output, 1);
        assertTrue(check.exactlyOnce(), "6's record committed by the restore, 7's discarded: " + check);
    }

    @Test
    void aReplayedRecord_isWrittenAgain_theSinkDropsNothing() throws Exception {
        ExactlyOnceFileSink before = new ExactlyOnceFileSink(output, "job", "1", 0, 1);
        before.restore(null);
        before.write(0L);
        before.snapshot(6);
        before.notifyCheckpointComplete(6);
        before.close();

        // An engine that replayed a committed record would show here: the sink keeps both.
        ExactlyOnceFileSink after = new ExactlyOnceFileSink(output, "job", "1", 0, 2);
        after.restore(null);
        after.write(0L);
        after.snapshot(7);
        after.notifyCheckpointComplete(7);
        after.close();

        DemoOutput check = DemoOutput.check(output, 1);
        assertEquals(1, check.duplicated, check.toString());
    }

    @Test
    void commitsAreIdempotent_andNeverReplaceAPartOfTheSameId() throws Exception {
        ExactlyOnceFileSink before = new ExactlyOnceFileSink(output, "job", "1", 0, 1);
        before.restore(null);
        before.write(0L);
        before.snapshot(6);
        before.notifyCheckpointComplete(6);
        before.notifyCheckpointComplete(6);
        before.close();

        // Should an id ever be issued twice (a lease deleted by hand), the earlier part stays.
        ExactlyOnceFileSink after = new ExactlyOnceFileSink(output, "job", "1", 0, 2);
        after.restore(null);
        after.write(1L);
        after.snapshot(6);
        after.notifyCheckpointComplete(6);
        after.close();

        DemoOutput check = DemoOutput.check(output, 2);
        assertTrue(check.exactlyOnce(), check.toString());
    }
}
