package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.cli.CheckpointFixtures.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code cairn member} refuses to join a cluster with a storage it cannot open. */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // without the check, the member would start and run on
class MemberCommandTest {
    @TempDir
    Path dir;

    @Test
    void aStorageThatCannotBeOpened_stopsTheMemberBeforeItJoins() throws Exception {
        Path keytab = Files.write(dir.resolve("garbage.keytab"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        Path config = CheckpointFixtures.config(
                dir.resolve("seatunnel.yaml"),
                "hdfs",
                Map.of(
                        "storage.type", "hdfs",
                        "fs.defaultFS", "hdfs://127.0.0.1:1",
                        "namespace", "/ckpt",
                        "kerberosPrincipal", "cairn/host@EXAMPLE.COM",
                        "kerberosKeytab", keytab.toString()));

        Result result = CheckpointFixtures.cairn("member", "--config", config.toString());

        assertEquals(1, result.status(), result.all());
        assertTrue(result.err().startsWith("cannot open the checkpoint storage hdfs {"), result.err());
        assertTrue(result.err().contains("cairn/host@EXAMPLE.COM"), "names the principal: " + result.err());
        assertFalse(result.all().contains("\tat "), result.all());
        assertFalse(result.out().contains("started"), result.out());
    }
}
