package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.it.Shell.Background;
import dev.cairn.it.Shell.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The built distribution, unpacked into a folder of a test's, and run as a user runs it: bin/cairn
 * with a PATH that has bash and dirname and no Maven, no source tree anywhere near, a JDK from
 * JAVA_HOME.
 *
 * @param home the unpacked installation
 * @param env the whole environment of every command
 * @param run the working directory of commands run "from somewhere": neither the installation nor a checkout
 */
record Distribution(Path home, Map<String, String> env, Path run) {

    static Distribution unpack(Path work) throws Exception {
        Path tarball = Path.of(System.getProperty("cairn.dist.tarball"));
        assertTrue(Files.isRegularFile(tarball), "build the distribution first: " + tarball);
        Path unpacked = Files.createDirectories(work.resolve("unpacked"));
        Result untar = Shell.run(
                work,
                Map.of("PATH", System.getenv("PATH")),
                60,
                "tar",
                "xzf",
                tarball.toString(),
                "-C",
                unpacked.toString());
        assertEquals(0, untar.status(), untar.all());
        Path home;
        try (Stream<Path> top = Files.list(unpacked)) {
            List<Path> dirs = top.toList();
            assertEquals(1, dirs.size(), dirs.toString());
            home = dirs.get(0);
        }
        Path bin = Files.createDirectories(work.resolve("path"));
        for (String tool : List.of("bash", "dirname")) {
            Files.createSymbolicLink(bin.resolve(tool), Shell.onPath(tool));
        }
        Map<String, String> env = Map.of(
                "PATH", bin.toString(),
                "JAVA_HOME", System.getProperty("java.home"),
                "HOME", work.toString(),
                "TMPDIR", Files.createDirectories(work.resolve("tmp")).toString());
        return new Distribution(home, env, Files.createDirectories(work.resolve("run")));
    }

    /** {@code bin/cairn ARGS} from {@link #run}. */
    Result cairn(String... args) throws Exception {
        return cairnIn(run, args);
    }

    /** {@code bin/cairn ARGS} with {@code dir} as the working directory. */
    Result cairnIn(Path dir, String... args) throws Exception {
        String[] command = Stream.concat(Stream.of(home.resolve("bin/cairn").toString()), Stream.of(args))
                .toArray(String[]::new);
        return Shell.run(dir, env, 180, command);
    }

    /** {@code bin/cairn ARGS &} with {@code dir} as the working directory. */
    Background background(Path dir, String... args) throws Exception {
        String[] command = Stream.concat(Stream.of(home.resolve("bin/cairn").toString()), Stream.of(args))
                .toArray(String[]::new);
        return new Background(dir, env, command);
    }
}
