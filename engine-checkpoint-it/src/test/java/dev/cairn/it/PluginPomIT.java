package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.tck.CheckpointStorageContract;
import dev.cairn.it.Shell.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin pom that docs/plugin-authors.md hands to plugin authors, built as they would build it:
 * Maven in a process of its own, in a project outside this repository made of that pom and the
 * example plugin's sources, against the storage API and contract suite jars of this build. Its
 * tests must actually run (surefire reports, tests counted), and its plugin folder must hold its jar.
 *
 * <p>Nothing is fetched from a network and nothing is written to the build's own Maven repository:
 * the project's local repository is a temporary one, seeded with this build's API and TCK jars
 * (and the two parent POMs they name); everything else comes read-only from the build's
 * repository through a {@code file://} mirror.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class PluginPomIT {
    private static final Pattern POM = Pattern.compile("<!-- plugin-pom -->\\s*```xml\\n(.*?)\\n```", Pattern.DOTALL);

    @TempDir
    Path work;

    @Test
    void thePluginPomInTheDocs_buildsAPlugin_andRunsItsTests() throws Exception {
        Path source = Path.of(System.getProperty("cairn.source"));
        String version = System.getProperty("cairn.version");
        Matcher pom = POM.matcher(Files.readString(source.resolve("docs/plugin-authors.md")));
        assertTrue(pom.find(), "docs/plugin-authors.md has no <!-- plugin-pom --> ```xml block");
        assertTrue(
                pom.group(1).contains("<cairn.version>" + version + "</cairn.version>"),
                "the docs' pom names Cairn " + version);

        Path project = Files.createDirectories(work.resolve("cairn-storage-zip"));
        Files.writeString(project.resolve("pom.xml"), pom.group(1));
        copy(source.resolve("engine-checkpoint-storage/checkpoint-storage-example/src"), project.resolve("src"));

        Path repository = work.resolve("repository");
        seed(repository, "cairn-parent", source.resolve("pom.xml"), null, version);
        seed(
                repository,
                "engine-checkpoint-storage",
                source.resolve("engine-checkpoint-storage/pom.xml"),
                null,
                version);
        seed(
                repository,
                "checkpoint-storage-api",
                source.resolve("engine-checkpoint-storage/checkpoint-storage-api/pom.xml"),
                jar(CheckpointStorageFactory.class),
                version);
        seed(
                repository,
                "checkpoint-storage-tck",
                source.resolve("engine-checkpoint-storage/checkpoint-storage-tck/pom.xml"),
                jar(CheckpointStorageContract.class),
                version);
        Path settings = Files.writeString(
                work.resolve("settings.xml"),
                """
                <settings>
                  <mirrors>
                    <mirror>
                      <id>build-machine</id>
                      <mirrorOf>*</mirrorOf>
                      <url>%s</url>
                    </mirror>
                  </mirrors>
                </settings>
                """
                        .formatted(Path.of(System.getProperty("cairn.maven.repository"))
                                .toUri()));

        // The build this test runs in holds the machine's build lock: Maven is called directly.
        Result build = Shell.run(
                project,
                Map.of(
                        "PATH",
                        System.getenv("PATH"),
                        "JAVA_HOME",
                        System.getProperty("java.home"),
                        "HOME",
                        work.toString()),
                280,
                Shell.onPath("mvn").toString(),
                "-B",
                "-nsu",
                "-s",
                settings.toString(),
                "-Dmaven.repo.local=" + repository,
                "verify");
        assertEquals(
                0,
                build.status(),
                build.out()
                                .lines()
                                .filter(l -> l.contains("ERROR") || l.contains("Tests"))
                                .reduce("", (a, b) -> a + b + "\n")
                        + build.err());

        Path reports = project.resolve("target/surefire-reports");
        List<Path> xml;
        try (Stream<Path> files = Files.list(reports)) {
            xml = files.filter(f -> f.getFileName().toString().matches("TEST-.*\\.xml"))
                    .toList();
        }
        assertTrue(xml.size() > 0, "no surefire report: no test ran");
        int tests = 0;
        for (Path report : xml) {
            Matcher counted =
                    Pattern.compile("<testsuite [^>]*tests=\"(\\d+)\"").matcher(Files.readString(report));
            assertTrue(counted.find(), report.toString());
            tests += Integer.parseInt(counted.group(1));
        }
        assertTrue(tests >= 28, "the contract suite alone has 28 cases; ran " + tests);
        assertTrue(build.out().contains("Tests run: " + tests + ", Failures: 0, Errors: 0"), build.out());
        assertTrue(Files.isRegularFile(project.resolve("target/plugin/cairn-storage-zip/cairn-storage-zip-1.0.0.jar")));
        try (Stream<Path> folder = Files.list(project.resolve("target/plugin/cairn-storage-zip"))) {
            // provided and test dependencies stay out of the plugin folder
            assertEquals(
                    List.of("cairn-storage-zip-1.0.0.jar"),
                    folder.map(f -> f.getFileName().toString()).toList());
        }
    }

    private static void seed(Path repository, String artifact, Path pom, Path jar, String version) throws Exception {
        Path dir = Files.createDirectories(
                repository.resolve("dev/cairn").resolve(artifact).resolve(version));
        Files.copy(pom, dir.resolve(artifact + "-" + version + ".pom"));
        if (jar != null) {
            Files.copy(jar, dir.resolve(artifact + "-" + version + ".jar"));
        }
    }

    /** The jar this build made of a class's module (the reactor hands it to the tests). */
    private static Path jar(Class<?> type) throws Exception {
        Path location =
                Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(location.toString().endsWith(".jar"), "run with verify, so that " + location + " is a jar");
        return location;
    }

    private static void copy(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}
