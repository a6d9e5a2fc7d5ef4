package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.demo.DemoOutput;
import dev.cairn.cli.CheckpointFixtures.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn demo}, the README's first command, as a user runs it: to the end, and killed with
 * SIGKILL in another process then run again with the same job id.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemoCommandTest {
    @TempDir
    Path dir;

    private Path config() throws Exception {
        Path file = CheckpointFixtures.localDiskConfig(dir.resolve("seatunnel.yaml"), dir.resolve("ckpt"));
        String yaml = Files.readString(file).replace("    checkpoint:\n", "    checkpoint:\n      interval: 300\n");
        return Files.writeString(file, yaml);
    }

    @Test
    void runsToTheEnd_andChecksTheOutputIsExactlyOnce() throws Exception {
        Path output = dir.resolve("out");

        Result result = CheckpointFixtures.cairn(
                "demo",
                "--config",
                config().toString(),
                "--records",
                "30000",
                "--rate",
                "0",
                "--output",
                output.toString());

        assertEquals(0, result.status(), result.all());
        assertTrue(result.out().contains("resume it after a crash with: bin/cairn demo --job-id demo-"), result.out());
        assertTrue(
                result.out().contains("done: 30,000 records committed in " + output + ", each exactly once"),
                result.out());
    }

    @Test
    void killedWithSigkill_thenRunAgain_resumesFromItsCheckpoint_exactlyOnce() throws Exception {
        Path config = config();
        Path output = dir.resolve("out");
        List<String> args = List.of(
                "demo",
                "--job-id",
                "killed",
                "--records",
                "150000",
                "--rate",
                "20000",
                "--config",
                config.toString(),
                "--output",
                output.toString());
        Process first = new ProcessBuilder(Stream.concat(
                                Stream.of(
                                        Path.of(System.getProperty("java.home"), "bin", "java")
                                                .toString(),
                                        "-cp",
                                        System.getProperty("java.class.path"),
                                        Cairn.class.getName()),
                                args.stream())
                        .toList())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("first.log").toFile())
                .start();
        try {
            Path checkpoints = dir.resolve("ckpt").resolve("killed").resolve("1");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (countCheckpoints(checkpoints) < 2) {
                assertTrue(first.isAlive(), "the first run ended early: " + Files.readString(dir.resolve("first.log")));
                assertTrue(System.nanoTime() < deadline, "no checkpoint stored within 60 s");
                Thread.sleep(50);
            }
        } finally {
            first.destroyForcibly(); // SIGKILL: no shutdown hook runs
            first.waitFor(10, TimeUnit.SECONDS);
        }
        assertTrue(Files.readString(dir.resolve("first.log")).contains("job killed: 150,000 records"));

        Result second = CheckpointFixtures.cairn(args.toArray(String[]::new));

        assertEquals(0, second.status(), second.all());
        assertTrue(second.out().matches("(?s).*restored from checkpoint \\d+ \\(storage\\).*"), second.out());
        assertTrue(
                second.out().contains("done: 150,000 records committed in " + output + ", each exactly once"),
                second.out());

        // Once more: the job had finished; the command says so, and the output stays as it was.
        Result third = CheckpointFixtures.cairn(args.toArray(String[]::new));

        assertEquals(0, third.status(), third.all());
        assertTrue(
                third.out().contains("job killed had already finished; nothing new was run or written"), third.out());
        assertTrue(DemoOutput.check(output, 150_000).exactlyOnce());
    }

    private static long countCheckpoints(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".ckpt"))
                    .count();
        }
    }
}
