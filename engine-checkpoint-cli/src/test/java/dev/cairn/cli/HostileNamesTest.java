package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.cli.CheckpointFixtures.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Job ids and pipeline names that try to leave the namespace, typed into every command that takes
 * one: each is a usage error (exit 2) with the naming rule and no stack trace, refused before
 * anything is read, written or connected to, and nothing appears outside the namespace.
 */
class HostileNamesTest extends LocalStorageTest {
    static final List<String> HOSTILE = List.of(
            "..",
            ".",
            "../escape",
            "a/../../escape",
            "/tmp/escape",
            "a/b",
            "a\\b",
            "escape\u0000",
            "",
            " ",
            ".hidden",
            "x".repeat(300),
            "C:escape",
            "a\nb");

    /** Every command with a job id argument, with {@code ID} where the id goes. */
    static final List<List<String>> COMMANDS = List.of(
            List.of("checkpoints", "list", "--job", "ID"),
            List.of("checkpoints", "verify", "--job", "ID"),
            List.of("checkpoints", "show", "ID", "1", "1"),
            List.of("checkpoints", "prune", "--job", "ID", "--keep", "1", "--yes"),
            List.of("checkpoints", "delete", "--job", "ID", "--yes"),
            List.of("checkpoints", "copy", "--job", "ID", "--to-config", "CONFIG"),
            List.of("checkpoints", "stats", "--job", "ID"),
            List.of("job", "cancel", "--job", "ID"),
            List.of("job", "savepoint", "--job", "ID"),
            List.of("demo", "--job-id", "ID", "--records", "1"));

    static Stream<Arguments> hostileIdInEveryCommand() {
        List<Arguments> all = new ArrayList<>();
        for (List<String> command : COMMANDS) {
            for (String id : HOSTILE) {
                all.add(Arguments.of(String.join(" ", command.subList(0, 2)), command, id));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} with job id \"{2}\"")
    @MethodSource
    void hostileIdInEveryCommand(String name, List<String> command, String id) throws Exception {
        open(Backend.LOCAL_DISK);
        List<String> before = outside();

        Result result = run(command, id);

        assertEquals(2, result.status(), result.all());
        assertTrue(result.err().startsWith("job id must"), result.err());
        assertFalse(result.all().contains("\tat "), "no stack trace: " + result.all());
        assertEquals("", result.out());
        assertEquals(before, outside(), "nothing written outside the namespace");
    }

    @Test
    void hostilePipelineNames_areRefused() throws Exception {
        open(Backend.LOCAL_DISK);
        populate();
        for (String pipeline : List.of("..", "../job-b", "1/../..", "/1", "1\u0000")) {
            Result show = checkpoints("show", "job-a", pipeline, "1");
            assertEquals(2, show.status(), pipeline + ": " + show.all());
            assertTrue(show.err().contains("pipeline"), show.err());

            Result delete = checkpoints("delete", "--job", "job-a", "--pipeline", pipeline, "--id", "1", "--yes");
            assertEquals(2, delete.status(), pipeline + ": " + delete.all());
        }
        assertEquals(
                7,
                checkpoints("list")
                        .out()
                        .lines()
                        .filter(l -> l.startsWith("job-"))
                        .count());
    }

    private Result run(List<String> command, String id) {
        List<String> args = new ArrayList<>();
        for (String arg : command) {
            args.add(arg.equals("ID") ? id : arg.equals("CONFIG") ? config.toString() : arg);
        }
        if (command.get(0).equals("checkpoints") && !command.get(1).equals("stats")
                || command.get(0).equals("demo")) {
            args.add("--config");
            args.add(config.toString());
        }
        if (command.get(0).equals("job") || command.get(1).equals("stats")) {
            args.add("--cluster");
            args.add("127.0.0.1:1"); // nothing listens: a refused id never gets as far as connecting
        }
        return CheckpointFixtures.cairn(args.toArray(String[]::new));
    }

    /**
     * Everything in the test directory but the namespace, and whether an {@code escape} is beside
     * it, above it or in /tmp.
     */
    private List<String> outside() throws Exception {
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(p -> !p.startsWith(namespace))
                    .map(Path::toString)
                    .sorted()
                    .forEach(names::add);
        }
        for (Path escape : List.of(dir.resolve("escape"), dir.getParent().resolve("escape"), Path.of("/tmp/escape"))) {
            names.add(escape + (Files.exists(escape) ? " exists" : " absent"));
        }
        return names;
    }
}
