package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cairn config check} as a user runs it: arguments in, exit status and output out. */
class ConfigCheckTest {
    @TempDir
    Path dir;

    private record Result(int status, String out, String err) {}

    private static Result cairn(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Cairn.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(status, out.toString(), err.toString());
    }

    private Path write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("seatunnel.yaml"), yaml);
    }

    @Test
    void validConfig_printsTheEffectiveConfigWithSecretsMasked_andExitsZero() throws Exception {
        Path file = write(
                """
                seatunnel:
                  engine:
                    checkpoint:
                      storage:
                        plugin-config:
                          storage.type: s3
                          s3.bucket: my-bucket
                          fs.s3a.access.key: AKIA-VISIBLE-NOT
                          fs.s3a.secret.key: wJalr-very-secret
                """);

        Result result = cairn("config", "check", "--config", file.toString());

        assertEquals(0, result.status(), result.err());
        assertTrue(result.out().contains("is valid"), result.out());
        assertTrue(result.out().contains("interval: 300000"), "defaults are shown: " + result.out());
        assertTrue(result.out().contains("fs.s3a.secret.key: '******'"), result.out());
        assertFalse(result.out().contains("wJalr-very-secret"), result.out());
        assertFalse(result.out().contains("AKIA-VISIBLE-NOT"), result.out());
    }

    @Test
    void invalidConfig_printsOneLinePerProblem_noStackTrace_andExitsTwo() throws Exception {
        Path file = write("seatunnel:\n  engine:\n    checkpoint:\n      timeout: soon\n      intervl: 5\n");

        Result result = cairn("config", "check", "--config", file.toString());

        assertEquals(2, result.status());
        assertEquals(
                "seatunnel.engine.checkpoint.timeout: must be a positive number of milliseconds, was \"soon\" (line 4)\n"
                        + "seatunnel.engine.checkpoint.intervl: unknown key; did you mean 'interval'? (line 5)\n",
                result.err());
        assertEquals("", result.out());
    }

    @Test
    void probe_roundTripsAgainstTheStorage_andReportsLatency() throws Exception {
        Path file = write("seatunnel:\n  engine:\n    checkpoint:\n      storage:\n        plugin-config:\n"
                + "          namespace: " + dir.resolve("ckpt") + "\n");

        Result result = cairn("config", "check", "--config", file.toString(), "--probe");

        assertEquals(0, result.status(), result.err());
        assertTrue(
                result.out()
                        .matches(
                                "(?s).*# probe ok: hdfs plugin.*store 4 KiB [0-9.]+ ms, load [0-9.]+ ms, delete [0-9.]+ ms.*"),
                result.out());
        try (var files = Files.list(dir.resolve("ckpt"))) {
            assertEquals(0, files.count(), "the probe cleans up after itself");
        }
    }

    @Test
    void probe_thatFails_saysWhereAndExitsOne() throws Exception {
        Path blocker = Files.writeString(dir.resolve("a-file"), "x");
        Path file = write("seatunnel:\n  engine:\n    checkpoint:\n      storage:\n        type: localfile\n"
                + "        plugin-config:\n          namespace: " + blocker + "/below\n");

        Result result = cairn("config", "check", "--config", file.toString(), "--probe");

        assertEquals(1, result.status());
        assertTrue(
                result.err()
                        .startsWith("probe failed against localfile " + blocker + "/below: cannot store checkpoint"),
                result.err());
        assertFalse(result.err().contains("\tat "), "no stack trace: " + result.err());
    }

    @Test
    void missingConfigFile_isAProblem() {
        Result result =
                cairn("config", "check", "--config", dir.resolve("none.yaml").toString());
        assertEquals(2, result.status());
        assertEquals(dir.resolve("none.yaml") + ": no such file\n", result.err());
    }

    @Test
    void unknownOption_isAUsageError() {
        assertEquals(2, cairn("config", "check", "--proeb").status());
    }
}
