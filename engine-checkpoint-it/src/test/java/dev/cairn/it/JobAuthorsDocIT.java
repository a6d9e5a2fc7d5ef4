package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.quickstart.Ledger;
import dev.cairn.it.Shell.Background;
import dev.cairn.it.Shell.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands of docs/job-authors.md, read from the page and run as written, from the unpacked
 * distribution's folder: the quickstart job in a process of its own, then on three members started
 * with the shipped configuration, saved, stopped and resumed from its savepoint. What the ledger
 * holds is checked, not what the commands say.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class JobAuthorsDocIT {
    private static final Pattern COMMANDS =
            Pattern.compile("<!-- commands: (\\S+) -->\\s*\\n```\\w*\\n(.*?)\\n```", Pattern.DOTALL);
    private static final Pattern SAVEPOINT = Pattern.compile("savepoint (\\d+)");

    @TempDir
    static Path work;

    static Distribution dist;
    static Map<String, List<String>> commands = new LinkedHashMap<>();

    @BeforeAll
    static void setUp() throws Exception {
        dist = Distribution.unpack(work);
        Matcher m =
                COMMANDS.matcher(Files.readString(Path.of(System.getProperty("cairn.source"), "docs/job-authors.md")));
        while (m.find()) {
            List<String> lines = new ArrayList<>();
            for (String line : m.group(2).split("\n")) {
                if (line.startsWith("$ ")) {
                    lines.add(line.substring(2).strip());
                }
            }
            commands.put(m.group(1), lines);
        }
        assertEquals(Set.of("local", "cluster"), commands.keySet());
    }

    /** A documented command's arguments after {@code bin/cairn}, with the shell's {@code $PWD} expanded. */
    private static String[] args(String command) {
        assertTrue(command.startsWith("bin/cairn "), command);
        return Arrays.stream(command.substring("bin/cairn ".length())
                        .replace(" &", "")
                        .split(" +"))
                .map(a -> a.replace("$PWD", dist.home().toString()))
                .toArray(String[]::new);
    }

    private static void assertBookedOnce(Path ledger, long count) throws Exception {
        List<String> lines = Ledger.open(ledger).committedLines();
        Set<Long> ids = new HashSet<>();
        for (String line : lines) {
            ids.add(Long.parseLong(line.split(",")[0]));
        }
        assertEquals(count, ids.size(), "transfers booked in " + ledger);
        assertEquals(count, lines.size(), "lines in " + ledger + ": a transfer booked twice shows here");
    }

    @Test
    void runInYourProcess() throws Exception {
        List<String> local = commands.get("local");
        assertEquals(1, local.size(), local.toString());

        Result run = dist.cairnIn(dist.home(), args(local.get(0)));

        assertEquals(0, run.status(), run.all());
        assertTrue(run.out().contains("job quickstart finished: 200,000 records committed"), run.all());
        assertBookedOnce(dist.home().resolve("data/quickstart-ledger"), 200_000);
    }

    @Test
    void runOnACluster() throws Exception {
        List<String> cluster = commands.get("cluster");
        List<Background> members = new ArrayList<>();
        try {
            int i = 0;
            for (; cluster.get(i).endsWith(" &"); i++) {
                Background member = dist.background(dist.home(), args(cluster.get(i)));
                members.add(member);
                member.awaitOut("started (" + members.size() + " members)", 90); // what a user waits for
            }
            assertEquals(3, members.size());

            Result submitted = dist.cairnIn(dist.home(), args(cluster.get(i++)));
            assertEquals(0, submitted.status(), submitted.all());
            assertTrue(
                    submitted.out().contains("job transfers-1 (transfers) submitted to [127.0.0.1:5801]"),
                    submitted.all());

            Result list = dist.cairnIn(dist.home(), args(cluster.get(i++)));
            assertEquals(0, list.status(), list.all());
            assertTrue(
                    list.out()
                            .lines()
                            .anyMatch(l ->
                                    l.startsWith("transfers-1 ") && (l.contains("RUNNING") || l.contains("SUBMITTED"))),
                    list.all());

            Result saved = dist.cairnIn(dist.home(), args(cluster.get(i++)));
            assertEquals(0, saved.status(), saved.all());
            Matcher id = SAVEPOINT.matcher(saved.out());
            assertTrue(id.find() && saved.out().contains("job stopped"), saved.all());

            String resume = cluster.get(i++);
            assertTrue(resume.endsWith("--from-savepoint ID"), resume);
            Result resumed = dist.cairnIn(
                    dist.home(), args(resume.replace("--from-savepoint ID", "--from-savepoint " + id.group(1))));
            assertEquals(0, resumed.status(), resumed.all());
            assertTrue(resumed.out().contains("restored from savepoint " + id.group(1)), resumed.all());
            assertTrue(resumed.out().contains("job transfers-1 finished: 1,000,000 records committed"), resumed.all());
            assertEquals(cluster.size(), i, "every documented command ran");
            assertBookedOnce(dist.home().resolve("data/transfers-ledger"), 1_000_000);
        } finally {
            for (Background member : members) {
                member.process.toHandle().destroy(); // SIGTERM, as a user stops a member
            }
            for (Background member : members) {
                assertTrue(member.process.waitFor(60, TimeUnit.SECONDS), member.output());
                assertFalse(member.output().contains(" ERROR "), member.output());
            }
        }
    }
}
