package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.it.Shell.Background;
import dev.cairn.it.Shell.Result;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built distribution, unpacked into a temporary folder and run as a user runs it: bin/cairn
 * with a PATH that has bash and dirname and no Maven, no source tree anywhere near, a JDK from
 * JAVA_HOME. A member in the background (stopped with SIGTERM), the demo on it, checkpoints list,
 * plugins, and a third-party plugin dropped into plugins/ (then changed).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DistributionIT {
    private static final String SERVICES =
            "META-INF/services/dev.cairn.checkpoint.storage.api.CheckpointStorageFactory";

    @TempDir
    static Path work;

    static Distribution dist;
    static Path home;
    static Map<String, String> env;
    static Path run; // the working directory of every command: neither the installation nor a checkout

    @BeforeAll
    static void unpack() throws Exception {
        dist = Distribution.unpack(work);
        home = dist.home();
        env = dist.env();
        run = dist.run();
    }

    private static Result cairn(String... args) throws Exception {
        return dist.cairn(args);
    }

    @Test
    void theUnpackedDistribution_runsAMemberTheDemoAndItsCommands_withoutMavenOrSources() throws Exception {
        // What is in it
        assertFalse(Files.exists(home.resolve("pom.xml")));
        assertTrue(Files.isExecutable(home.resolve("bin/cairn")));
        for (String part : List.of(
                "config/seatunnel.yaml",
                "config/hazelcast.yaml",
                "docs/plugin-authors.md",
                "README.md",
                "LICENSE",
                "NOTICE")) {
            assertTrue(Files.isRegularFile(home.resolve(part)), part);
        }
        try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
            List<String> jars = lib.map(p -> p.getFileName().toString()).toList();
            assertTrue(jars.stream().anyMatch(j -> j.startsWith("hazelcast-")), jars.toString());
            assertTrue(
                    jars.stream()
                            .noneMatch(j -> j.startsWith("hadoop-")
                                    || j.startsWith("checkpoint-storage-hdfs")
                                    || j.startsWith("checkpoint-storage-localfile")),
                    jars.toString());
        }
        assertTrue(Files.list(home.resolve("plugins/hdfs"))
                .anyMatch(p -> p.getFileName().toString().startsWith("hadoop-common-")));
        assertTrue(Files.readString(home.resolve("NOTICE")).contains("com.hazelcast:hazelcast:5.5.0"));
        Result noMaven =
                Shell.run(run, env, 10, Path.of(env.get("PATH"), "bash").toString(), "-c", "command -v mvn");
        assertEquals(1, noMaven.status(), "mvn must not be on the commands' PATH: " + noMaven.all());

        // A member, in the background, on a port and a cluster of this test's own
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String cluster = "dist-it-" + UUID.randomUUID().toString().substring(0, 8);
        Path hazelcast = Files.writeString(
                work.resolve("hazelcast.yaml"),
                """
                hazelcast:
                  cluster-name: %s
                  network:
                    port:
                      auto-increment: false
                      port: %d
                    interfaces:
                      enabled: true
                      interfaces:
                        - 127.0.0.1
                    join:
                      multicast:
                        enabled: false
                      auto-detection:
                        enabled: false
                      tcp-ip:
                        enabled: true
                        member-list:
                          - 127.0.0.1:%d
                """
                        .formatted(cluster, port, port));
        try (Background member = new Background(
                run, env, home.resolve("bin/cairn").toString(), "member", "--hazelcast", hazelcast.toString())) {
            member.awaitOut("started", 90);
            assertTrue(
                    member.out().contains("storage: {storage.type=local, namespace=" + home + "/data/checkpoint/}"),
                    member.output());

            Result demo = cairn(
                    "demo",
                    "--cluster",
                    "127.0.0.1:" + port,
                    "--cluster-name",
                    cluster,
                    "--job-id",
                    "dist-demo",
                    "--records",
                    "20000",
                    "--rate",
                    "0");
            assertEquals(0, demo.status(), demo.all());
            assertTrue(
                    demo.out()
                            .contains("done: 20,000 records committed in " + home.resolve("data/demo/dist-demo")
                                    + ", each exactly once"),
                    demo.all());

            assertTrue(member.process.isAlive(), member.output());
            // SIGTERM: it leaves the cluster cleanly. (Through the handle: Process.destroy would also
            // close our ends of its pipes, and what it says while leaving would be lost.)
            member.process.toHandle().destroy();
            assertTrue(member.process.waitFor(60, TimeUnit.SECONDS), member.output());
            member.awaitOut("left", 5);
            assertEquals(143, member.process.exitValue(), member.output()); // 128 + SIGTERM
        }

        Result list = cairn("checkpoints", "list");
        assertEquals(0, list.status(), list.all());
        assertTrue(
                list.out()
                        .startsWith("checkpoints in hdfs plugin (storage.type local) at file:" + home
                                + "/data/checkpoint:"),
                list.all());
        assertTrue(list.out().contains("dist-demo  1"), list.all());
    }

    /**
     * A job jar built as docs/job-authors.md says, against the two API jars alone, dropped into
     * plugins/NAME/: listed, run in-process with job run, and its two-phase-commit output whole.
     */
    @Test
    void aThirdPartyJobJar_droppedIntoPlugins_runs() throws Exception {
        List<Path> apis;
        try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
            apis = lib.filter(p -> p.getFileName().toString().matches("checkpoint-(storage-)?api-.*\\.jar"))
                    .toList();
        }
        assertEquals(2, apis.size(), apis.toString());
        Path folder = home.resolve("plugins/acme-count");
        try {
            Shell.compileJar(
                    Shell.resource("third-party-job"),
                    apis,
                    work,
                    folder.resolve("acme-count.jar"),
                    Map.of("META-INF/services/dev.cairn.checkpoint.api.JobDefinition", "com.acme.count.CountJob\n"));

            Result plugins = cairn("plugins");
            assertTrue(
                    plugins.out()
                            .matches("(?s).*\\nacme-count +loaded +job acme-count +1  "
                                    + java.util.regex.Pattern.quote(folder.toString()) + "\\n.*"),
                    plugins.all());

            Path out = work.resolve("acme-out");
            Result refused = cairn("job", "run", "--type", "acme-count", "-p", "count=x", "-p", "out=" + out);
            assertEquals(2, refused.status(), refused.all());
            assertTrue(refused.all().contains("count: required, a whole number"), refused.all());

            // Killed (kill -9) once a checkpoint is committed, then run again with the same id: it
            // resumes, and the sink's restore commits what the checkpoint lists.
            String[] command = {
                "job", "run", "--type", "acme-count", "-p", "count=200000", "-p", "out=" + out, "--job-id", "acme-1"
            };
            try (Background first = dist.background(run, command)) {
                first.awaitOut("committed (last #", 90);
                first.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            Result resumed = cairn(command);
            assertEquals(0, resumed.status(), resumed.all());
            assertTrue(resumed.out().contains("restored from checkpoint"), resumed.all());
            assertTrue(resumed.out().contains("job acme-1 finished: "), resumed.all());
            List<Long> numbers = new java.util.ArrayList<>();
            try (Stream<Path> files = Files.list(out)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Files.readAllLines(file).forEach(line -> numbers.add(Long.parseLong(line)));
                }
            }
            numbers.sort(null);
            assertEquals(java.util.stream.LongStream.range(0, 200_000).boxed().toList(), numbers);
        } finally {
            try (Stream<Path> files = Files.exists(folder) ? Files.walk(folder) : Stream.empty()) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aThirdPartyPlugin_droppedIntoPlugins_isUsed_andABrokenOneIsNamed() throws Exception {
        Path api;
        try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
            api = lib.filter(p -> p.getFileName().toString().startsWith("checkpoint-storage-api-"))
                    .findFirst()
                    .orElseThrow();
        }
        Path jar = home.resolve("plugins/it-dir/it-dir.jar");
        buildThirdParty(api, jar, "v1");
        Files.createDirectories(home.resolve("plugins/broken"));
        Shell.compileJar(
                Files.createDirectories(work.resolve("empty-src")),
                List.of(),
                work,
                home.resolve("plugins/broken/broken.jar"),
                Map.of(SERVICES, "com.acme.Missing\n"));

        Result plugins = cairn("plugins");
        assertEquals(1, plugins.status(), plugins.all()); // one folder failed
        String table = plugins.out();
        assertTrue(table.startsWith("plugins directory " + home.resolve("plugins") + "\n"), table);
        assertTrue(
                table.matches(
                        "(?s).*\\nit-dir +loaded +storage it-dir +1  " + home.resolve("plugins/it-dir") + "\\n.*"),
                table);
        assertTrue(table.matches("(?s).*\\nhdfs +loaded +storage hdfs +\\d+  .*"), table);
        assertTrue(
                table.matches("(?s).*\\nbroken +failed +- +1  " + home.resolve("plugins/broken")
                        + "\\n  Provider com.acme.Missing not found\\n.*"),
                table);
        assertTrue(table.endsWith("4 loaded, 1 failed\n"), table);

        Path directory = work.resolve("it-dir-checkpoints");
        Path config = Files.writeString(
                work.resolve("it-dir.yaml"),
                """
                seatunnel:
                  engine:
                    checkpoint:
                      interval: 500
                      storage:
                        type: it-dir
                        plugin-config:
                          directory: %s
                """
                        .formatted(directory));
        Result demo = cairn(
                "demo",
                "-c",
                config.toString(),
                "--job-id",
                "third",
                "--records",
                "20000",
                "--rate",
                "0",
                "--output",
                work.resolve("third-out").toString());
        assertEquals(0, demo.status(), demo.all());
        assertTrue(demo.out().contains("each exactly once"), demo.all());
        // The broken folder is said once, on one line, by every command; it stops none.
        assertTrue(
                demo.err()
                        .contains("WARN  CliPlugins: plugin " + home.resolve("plugins/broken")
                                + " disabled: Provider com.acme.Missing not found\n"),
                demo.all());

        Result list = cairn("checkpoints", "list", "-c", config.toString());
        assertEquals(0, list.status(), list.all());
        assertTrue(list.out().startsWith("checkpoints in it-dir v1 at " + directory + ":"), list.all());
        assertTrue(list.out().contains("third  1"), list.all());

        // A changed jar is what the next start runs.
        buildThirdParty(api, jar, "v2");
        Result again = cairn("checkpoints", "list", "-c", config.toString());
        assertTrue(again.out().startsWith("checkpoints in it-dir v2 at " + directory + ":"), again.all());

        // A configuration that uses the broken plugin says which folder failed, and why.
        Path broken = Files.writeString(
                work.resolve("broken.yaml"),
                """
                seatunnel:
                  engine:
                    checkpoint:
                      storage:
                        type: broken
                """);
        Result check = cairn("config", "check", "-c", broken.toString());
        assertEquals(2, check.status(), check.all());
        assertTrue(
                check.err()
                        .contains("seatunnel.engine.checkpoint.storage.type: no checkpoint storage 'broken';"
                                + " available: example-zip, hdfs, it-dir, localfile; the plugin in "
                                + home.resolve("plugins/broken")
                                + " failed to load: Provider com.acme.Missing not found (line 5)"),
                check.all());
    }

    private static void buildThirdParty(Path api, Path jar, String version) throws Exception {
        Path src = Files.createTempDirectory(work, "third-party-src");
        Path from = Shell.resource("third-party-plugin");
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path to = src.resolve(from.relativize(f).toString());
                Files.createDirectories(to.getParent());
                Files.writeString(to, Files.readString(f).replace("@VERSION@", version));
            }
        }
        Files.deleteIfExists(jar);
        Shell.compileJar(src, List.of(api), work, jar, Map.of(SERVICES, "com.acme.itdir.DirStorageFactory\n"));
    }
}
