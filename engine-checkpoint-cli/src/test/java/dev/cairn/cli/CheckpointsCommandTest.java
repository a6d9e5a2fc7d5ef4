package dev.cairn.cli;

import static dev.cairn.cli.CheckpointFixtures.file;
import static dev.cairn.cli.CheckpointFixtures.flipByte;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.cli.CheckpointFixtures.Result;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code cairn checkpoints list|show|verify} as an operator runs them, against checkpoints on the
 * local disk: the hdfs plugin ({@code storage.type: local}) and the localfile plugin.
 */
class CheckpointsCommandTest extends LocalStorageTest {
    // ---- list -----------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Backend.class)
    void list_showsEveryCheckpointWithTypeSizeCompletionAndVerification_inAlignedColumns(Backend backend)
            throws Exception {
        open(backend);
        populate();
        flipByte(file(namespace, "job-a", "1", 2), SnapshotCodec.HEADER_SIZE + 3);

        Result result = checkpoints("list");

        assertEquals(0, result.status(), result.err());
        List<String> lines = result.out().lines().toList();
        String heading = lines.get(1);
        assertTrue(heading.matches("JOB +PIPELINE +ID +TYPE +SIZE +COMPLETED +VERIFIED"), heading);
        List<String> rows = lines.subList(2, lines.size() - 1);
        assertEquals(7, rows.size(), result.out());
        assertRow(rows, row("job-a", "1", 4, "SAVEPOINT", size("job-a", "1.savepoints", 4), "10:00:04.250Z", "ok"));
        assertRow(rows, row("job-a", "1", 3, "CHECKPOINT", size("job-a", "1", 3), "10:00:03.250Z", "ok"));
        assertRow(rows, row("job-a", "1", 2, "CHECKPOINT", size("job-a", "1", 2), null, "CHECKSUM_MISMATCH"));
        assertRow(rows, row("job-b", "1", 7, "CHECKPOINT", size("job-b", "1", 7), "10:00:07.250Z", "ok"));
        assertFalse(result.out().contains("1.savepoints"), "a savepoint shows as its pipeline: " + result.out());
        for (String row : rows) {
            int type = row.contains(" SAVEPOINT ") ? row.indexOf(" SAVEPOINT ") : row.indexOf(" CHECKPOINT ");
            assertEquals(heading.indexOf("TYPE"), type + 1, "aligned: " + row);
            int completed = row.contains(" 2024-") ? row.indexOf(" 2024-") : row.indexOf(" - ");
            assertEquals(heading.indexOf("COMPLETED"), completed + 1, "aligned: " + row);
        }
        assertTrue(lines.get(lines.size() - 1).matches("7 checkpoints, \\d+ bytes; 1 do not verify.*"), result.out());
    }

    /** A table row as a regular expression; {@code time} of 2024-05-01 UTC, or {@code null} for none. */
    private static String row(
            String job, String pipeline, long id, String type, int size, String time, String verified) {
        String completed = time == null ? "-" : "2024-05-01T" + time.replace(".", "\\.");
        return job + " +" + pipeline + " +" + id + " +" + type + " +" + size + " +" + completed + " +" + verified;
    }

    private static void assertRow(List<String> rows, String regex) {
        assertTrue(
                rows.stream().anyMatch(r -> r.matches(regex)), "no row /" + regex + "/ in\n" + String.join("\n", rows));
    }

    private int size(String job, String pipeline, long id) throws Exception {
        return stored(job, pipeline, id).length;
    }

    @Test
    void listJson_isAJsonArrayWithTheFieldsOfEveryCheckpoint() throws Exception {
        open(Backend.LOCAL_DISK);
        populate();
        flipByte(file(namespace, "job-a", "1", 2), SnapshotCodec.HEADER_SIZE + 3);

        Result result = checkpoints("list", "--json");

        assertEquals(0, result.status(), result.err());
        List<?> array = (List<?>) MiniJson.parse(result.out());
        assertEquals(7, array.size());
        Map<?, ?> savepoint = find(array, "job-a", "1", 4);
        assertEquals("SAVEPOINT", savepoint.get("type"));
        assertEquals("1.savepoints", savepoint.get("storedAs"));
        assertEquals((long) stored("job-a", "1.savepoints", 4).length, savepoint.get("size"));
        assertEquals("2024-05-01T10:00:04.250Z", savepoint.get("completedAt"));
        assertEquals("ok", savepoint.get("verified"));
        assertNull(savepoint.get("problem"));
        Map<?, ?> corrupt = find(array, "job-a", "1", 2);
        assertEquals("CHECKPOINT", corrupt.get("type"));
        assertEquals("CHECKSUM_MISMATCH", corrupt.get("verified"));
        assertTrue(((String) corrupt.get("problem")).contains("checksum"), corrupt.toString());
        assertNull(corrupt.get("completedAt"));
    }

    private static Map<?, ?> find(List<?> array, String job, String pipeline, long id) {
        return array.stream()
                .map(o -> (Map<?, ?>) o)
                .filter(o -> job.equals(o.get("job"))
                        && pipeline.equals(o.get("pipeline"))
                        && o.get("id").equals(id))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + job + "/" + pipeline + "/" + id + " in " + array));
    }

    @Test
    void listJob_showsThatJobOnly() throws Exception {
        open(Backend.LOCAL_DISK);
        populate();

        Result result = checkpoints("list", "--job", "job-b", "--json");

        assertEquals(0, result.status(), result.err());
        List<?> array = (List<?>) MiniJson.parse(result.out());
        assertEquals(1, array.size());
        assertEquals(7L, ((Map<?, ?>) array.get(0)).get("id"));
    }

    @Test
    void list_emptyStorage_saysSo_andExitsZero() throws Exception {
        open(Backend.LOCAL_DISK);

        Result table = checkpoints("list");
        Result json = checkpoints("list", "--json");

        assertEquals(0, table.status(), table.err());
        assertTrue(table.out().startsWith("no checkpoints in hdfs plugin"), table.out());
        assertEquals(0, json.status(), json.err());
        assertEquals(List.of(), MiniJson.parse(json.out()));
    }

    // ---- verify ---------------------------------------------------------------------------------

    @Test
    void verify_allGood_exitsZero() throws Exception {
        open(Backend.LOCAL_DISK);
        populate();

        Result result = checkpoints("verify");

        assertEquals(0, result.status(), result.all());
        assertTrue(result.out().startsWith("7 checked, 0 bad"), result.out());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void verify_corruptedFiles_areNamedWithTheirReason_andExitsOne(Backend backend) throws Exception {
        open(backend);
        populate();
        flipByte(file(namespace, "job-a", "2", 1), SnapshotCodec.HEADER_SIZE + 1);
        flipByte(file(namespace, "job-a", "1.savepoints", 4), 0);

        Result result = checkpoints("verify");

        assertEquals(1, result.status(), result.all());
        List<String> lines = result.out().lines().toList();
        assertEquals(3, lines.size(), result.out());
        assertTrue(
                lines.get(0).startsWith("BAD job job-a pipeline 1.savepoints savepoint 4: BAD_MAGIC: not a Cairn"),
                result.out());
        assertTrue(
                lines.get(1)
                        .startsWith("BAD job job-a pipeline 2 checkpoint 1: CHECKSUM_MISMATCH: payload checksum is"),
                result.out());
        assertTrue(lines.get(2).startsWith("7 checked, 2 bad"), result.out());
    }

    @Test
    void verify_checkpointStoredUnderAnotherId_isMisplaced() throws Exception {
        open(Backend.LOCAL_DISK);
        populate();
        storage.store(
                PipelineKey.of("job-b", "1"), CheckpointId.of(9), new ByteArrayInputStream(stored("job-a", "1", 3)));

        Result all = checkpoints("verify");
        Result jobA = checkpoints("verify", "--job", "job-a");

        assertEquals(1, all.status(), all.all());
        assertTrue(
                all.out()
                        .contains("BAD job job-b pipeline 1 checkpoint 9: MISPLACED: it holds checkpoint 3 of job job-a"
                                + " pipeline 1\n"),
                all.out());
        assertTrue(all.out().contains("8 checked, 1 bad"), all.out());
        assertEquals(0, jobA.status(), jobA.all());
        assertTrue(jobA.out().startsWith("6 checked, 0 bad (job job-a)"), jobA.out());
    }

    @Test
    void verify_savepointAmongTheCheckpoints_orNamingItsSavepointsPipeline_isMisplaced() throws Exception {
        open(Backend.LOCAL_DISK);
        PipelineKey pipeline = PipelineKey.of("job-s", "1");
        // a savepoint where retention would prune it
        storage.store(
                pipeline,
                CheckpointId.of(5),
                new ByteArrayInputStream(CheckpointFixtures.blob(pipeline, 5, CheckpointType.SAVEPOINT, 1)));
        // a savepoint that names "1.savepoints" as its pipeline: recovery expects "1"
        PipelineKey savepoints = FileLayout.savepointsOf(pipeline);
        storage.store(
                savepoints,
                CheckpointId.of(6),
                new ByteArrayInputStream(CheckpointFixtures.blob(savepoints, 6, CheckpointType.SAVEPOINT, 1)));

        Result result = checkpoints("verify");

        assertEquals(1, result.status(), result.all());
        assertEquals(
                List.of(
                        "BAD job job-s pipeline 1 checkpoint 5: MISPLACED: it holds a savepoint, stored among the"
                                + " checkpoints",
                        "BAD job job-s pipeline 1.savepoints savepoint 6: MISPLACED: it holds checkpoint 6 of job"
                                + " job-s pipeline 1.savepoints"),
                result.out().lines().limit(2).toList());
    }

    // ---- show -----------------------------------------------------------------------------------

    @Test
    void show_printsHeaderTypeTimesTaskStateSizesAndMetadata() throws Exception {
        open(Backend.LOCAL_DISK);
        populate();
        byte[] blob = stored("job-a", "1", 3);

        Result result = checkpoints("show", "job-a", "1", "3");

        assertEquals(0, result.status(), result.all());
        String out = result.out();
        assertTrue(out.startsWith("job job-a pipeline 1 checkpoint 3 in hdfs plugin"), out);
        assertLine(out, "size: +" + blob.length + " bytes");
        assertLine(out, "format version: +1");
        assertLine(out, "flags: +0x0000");
        assertLine(out, "payload length: +" + (blob.length - SnapshotCodec.HEADER_SIZE) + " bytes");
        assertLine(
                out,
                "CRC32C: +"
                        + String.format("%08x", SnapshotCodec.readHeader(blob).crc32c()));
        assertLine(out, "type: +CHECKPOINT");
        assertLine(out, "triggered: +2024-05-01T10:00:03Z");
        assertLine(out, "completed: +2024-05-01T10:00:03.250Z");
        assertLine(out, "duration: +250 ms");
        assertLine(out, "tasks: +2, 300 bytes of state in all");
        assertLine(out, "  task-0  100 bytes");
        assertLine(out, "  task-1  200 bytes");
        assertLine(out, "  attempt=1");
    }

    private static void assertLine(String out, String regex) {
        assertTrue(out.lines().anyMatch(l -> l.matches(regex)), "no line /" + regex + "/ in:\n" + out);
    }

    @Test
    void show_savepoint_isFoundByItsPipeline_andShownAsASavepoint() throws Exception {
        open(Backend.LOCAL_DISK);
        populate();

        Result plain = checkpoints("show", "job-a", "1", "4");
        Result explicit = checkpoints("show", "job-a", "1.savepoints", "4");

        assertEquals(0, plain.status(), plain.all());
        assertEquals(plain.out(), explicit.out());
        assertTrue(plain.out().startsWith("job job-a pipeline 1.savepoints savepoint 4 in "), plain.out());
        assertLine(plain.out(), "type: +SAVEPOINT");
    }

    @Test
    void show_corruptHeader_printsTheFieldsAsRead_andWhy_andExitsOne() throws Exception {
        open(Backend.LOCAL_DISK);
        populate();
        flipByte(file(namespace, "job-a", "1", 3), 2);

        Result result = checkpoints("show", "job-a", "1", "3");

        assertEquals(1, result.status(), result.all());
        assertLine(result.out(), "magic \\(as read\\): +\"CA\\\\xb6RNCKP\"");
        assertLine(result.out(), "format version: +1 \\(as read\\)");
        assertLine(result.out(), "payload length: +\\d+ bytes \\(as read\\)");
        assertLine(result.out(), "unusable: +BAD_MAGIC: not a Cairn snapshot \\(bad magic\\)");
        assertFalse(result.out().contains("tasks:"), result.out());
    }

    @Test
    void show_corruptPayload_printsTheHeader_andWhy_andExitsOne() throws Exception {
        open(Backend.LOCAL_DISK);
        populate();
        flipByte(file(namespace, "job-a", "1", 3), SnapshotCodec.HEADER_SIZE + 7);

        Result result = checkpoints("show", "job-a", "1", "3");

        assertEquals(1, result.status(), result.all());
        assertLine(result.out(), "format version: +1");
        assertLine(result.out(), "CRC32C: +[0-9a-f]{8}");
        assertLine(
                result.out(),
                "unusable: +CHECKSUM_MISMATCH: payload checksum is [0-9a-f]{8}, header says [0-9a-f]{8} .*");
    }

    @Test
    void show_blobShorterThanAHeader_saysSo_andExitsOne() throws Exception {
        open(Backend.LOCAL_DISK);
        storage.store(PipelineKey.of("job-x", "1"), CheckpointId.of(1), new ByteArrayInputStream(new byte[5]));

        Result result = checkpoints("show", "job-x", "1", "1");

        assertEquals(1, result.status(), result.all());
        assertLine(result.out(), "size: +5 bytes");
        assertLine(result.out(), "header: +none: the blob is shorter than the 20-byte header");
        assertLine(result.out(), "unusable: +TOO_SHORT: .*");
    }

    @Test
    void show_absentCheckpoint_saysWhichAndWhere_andExitsOne() throws Exception {
        open(Backend.LOCAL_DISK);
        populate();

        Result result = checkpoints("show", "job-a", "1", "99");

        assertEquals(1, result.status());
        assertEquals("", result.out());
        assertTrue(
                result.err().startsWith("no checkpoint 99 of job job-a pipeline 1 (nor a savepoint 99) in hdfs plugin"),
                result.err());
    }

    @Test
    void show_invalidJobId_isAUsageError() throws Exception {
        open(Backend.LOCAL_DISK);

        Result result = checkpoints("show", "../etc", "1", "1");

        assertEquals(2, result.status());
        assertTrue(result.err().startsWith("job id must be letters, digits"), result.err());
        assertFalse(result.err().contains("\tat "), result.err());
    }
}
