package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.cluster.CairnMember;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Hard kills of members that run the job's tasks, several in one run, on a 3-member cluster. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TaskMemberKillIT {
    private static final Pattern RESTORED = Pattern.compile("checkpoint (\\d+) \\((memory|storage)\\)");

    @TempDir
    Path dir;

    static long restoredId(JobStatus record) {
        Matcher m = RESTORED.matcher(record.restoredFrom());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    @Test
    void killingTaskMembers_threeTimes_losesNoCheckpoint_andCommitsEveryRecordOnce() throws Exception {
        long records = 150_000;
        Path output = dir.resolve("out");
        var config = TestCluster.engine(
                "interval: 200\ntimeout: 10000",
                "localfile",
                Map.of("namespace", dir.resolve("ckpt").toString()),
                1);
        try (TestCluster cluster = TestCluster.start(3, config)) {
            cluster.submit(Demo.job("kill-tasks", records, 6, 10_000, output));

            for (int kill = 1; kill <= 3; kill++) {
                int restarts = kill - 1;
                JobStatus before = cluster.awaitJob(
                        "kill-tasks",
                        r -> r.restarts() == restarts
                                && r.state() == JobState.RUNNING
                                && r.lastCheckpointId() >= 0
                                && r.recordsCommitted() > 0,
                        Duration.ofSeconds(30));
                long lastCompleted = before.lastCheckpointId();
                long lastCommitted = before.lastCommittedId();
                CairnMember victim = cluster.taskMemberOtherThanMaster();

                cluster.kill(victim);

                JobStatus after = cluster.awaitJob(
                        "kill-tasks",
                        // The restore of this restart, not the previous one: the restart is counted
                        // before the new attempt has planned its restore.
                        r -> r.restarts() == restarts + 1 && r.restores() == restarts + 1 && restoredId(r) >= 0,
                        Duration.ofSeconds(30));
                assertTrue(
                        restoredId(after) >= lastCompleted,
                        "restored from " + after.restoredFrom() + ", but checkpoint " + lastCompleted
                                + " had completed before the kill (and " + lastCommitted + " was committed)");
                assertTrue(
                        after.restoredFrom().contains("memory"),
                        "restored from the cluster's memory: " + after.restoredFrom());
                cluster.addMember();
                cluster.awaitSize(3);
                cluster.awaitSafe(); // backup-count 1 survives one failure at a time
            }

            JobStatus done = cluster.awaitJob("kill-tasks", r -> r.state().done(), Duration.ofSeconds(90));
            assertEquals(JobState.FINISHED, done.state(), done.message());
            assertEquals(3, done.restarts());
            assertEquals(records, done.recordsCommitted());
            Demo.assertExactlyOnce(output, records);
        }
    }
}
