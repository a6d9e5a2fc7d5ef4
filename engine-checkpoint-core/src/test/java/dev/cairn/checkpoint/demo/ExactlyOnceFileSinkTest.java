package dev.cairn.checkpoint.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExactlyOnceFileSinkTest {
    @TempDir
    Path output;

    /**
     * A full restart from an older stored checkpoint issues again ids that the lost cluster had
     * completed and committed: the new commit of such an id must not replace the old part.
     */
    @Test
    void aCheckpointIdIssuedAgainAfterAFullRestart_keepsTheEarlierPart() throws Exception {
        ExactlyOnceFileSink before = new ExactlyOnceFileSink(output, "job", "1", 0, 1);
        before.restore(null);
        before.write(0L);
        before.write(1L);
        before.snapshot(6);
        before.notifyCheckpointComplete(6);
        before.close();

        // restored from checkpoint 5 in storage: records above 1 replayed, id 6 issued again
        ExactlyOnceFileSink after = new ExactlyOnceFileSink(output, "job", "1", 0, 1);
        after.restore(null);
        after.write(1L); // already committed: dropped
        after.write(2L);
        after.snapshot(6);
        after.notifyCheckpointComplete(6);
        after.notifyCheckpointComplete(6); // idempotent
        after.close();

        DemoOutput check = DemoOutput.check(output, 3);
        assertTrue(check.exactlyOnce(), check.toString());
        assertEquals(3, check.records);
    }
}
