package dev.cairn.it;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

/** Processes run as a user would run them, with a deadline each; and jars made in a test. */
final class Shell {
    private Shell() {}

    record Result(int status, String out, String err) {
        String all() {
            return "status " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs {@code command} in {@code dir} with exactly {@code env}; fails the test after {@code seconds}. */
    static Result run(Path dir, Map<String, String> env, long seconds, String... command)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        builder.redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process process = builder.start();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", command) + " did not end within " + seconds + " s\n--- stdout\n"
                    + Files.readString(out) + "--- stderr\n" + Files.readString(err));
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** A process in the background whose output lines are collected as they come. */
    static final class Background implements AutoCloseable {
        final Process process;
        private final StringBuffer out = new StringBuffer();
        private final StringBuffer err = new StringBuffer();
        private final List<Thread> pumps = new ArrayList<>();

        Background(Path dir, Map<String, String> env, String... command) throws IOException {
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
            builder.environment().clear();
            builder.environment().putAll(env);
            process = builder.start();
            pumps.add(pump(process.getInputStream(), out));
            pumps.add(pump(process.getErrorStream(), err));
        }

        private static Thread pump(java.io.InputStream in, StringBuffer into) {
            Thread t = new Thread(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line; (line = reader.readLine()) != null; ) {
                        into.append(line).append('\n');
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
            t.setDaemon(true);
            t.start();
            return t;
        }

        /** Waits until stdout holds {@code text}; fails the test if the process ends or time runs out. */
        void awaitOut(String text, long seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (!out.toString().contains(text)) {
                if (!process.isAlive()) {
                    for (Thread pump : pumps) {
                        pump.join(5_000); // all it wrote before it ended
                    }
                    if (out.toString().contains(text)) {
                        return;
                    }
                }
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("no '" + text + "' ("
                            + (process.isAlive() ? "timed out" : "ended, status " + process.exitValue()) + ")\n"
                            + output());
                }
                Thread.sleep(50);
            }
        }

        String out() {
            return out.toString();
        }

        String output() {
            return "--- stdout\n" + out + "--- stderr\n" + err;
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Compiles {@code sourceDir}'s .java files against {@code classPath} into a new jar. */
    static Path compileJar(Path sourceDir, List<Path> classPath, Path work, Path jar, Map<String, String> entries)
            throws IOException {
        Path classes = Files.createTempDirectory(work, "classes");
        List<String> args = new ArrayList<>(List.of(
                "-d",
                classes.toString(),
                "-proc:none",
                "-nowarn",
                "-classpath",
                String.join(
                        File.pathSeparator,
                        classPath.stream().map(Path::toString).toList())));
        try (Stream<Path> files = Files.walk(sourceDir)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
        }
        StringWriter errors = new StringWriter();
        int status = args.stream().noneMatch(a -> a.endsWith(".java"))
                ? 0
                : ToolProvider.getSystemJavaCompiler()
                        .run(
                                null,
                                null,
                                new PrintStream(OutputStream.nullOutputStream()) {
                                    @Override
                                    public void write(byte[] b, int off, int len) {
                                        errors.write(new String(b, off, len, StandardCharsets.UTF_8));
                                    }
                                },
                                args.toArray(String[]::new));
        if (status != 0) {
            throw new AssertionError("javac failed: " + errors);
        }
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(
                        new JarEntry(classes.relativize(file).toString().replace(File.separatorChar, '/')));
                out.write(Files.readAllBytes(file));
                out.closeEntry();
            }
            for (Map.Entry<String, String> entry : entries.entrySet()) {
                out.putNextEntry(new JarEntry(entry.getKey()));
                out.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    /** A test resource folder as a path. */
    static Path resource(String name) {
        try {
            return Path.of(Shell.class.getClassLoader().getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where an executable is on this JVM's PATH. */
    static Path onPath(String name) {
        for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(name + " is not on the PATH");
    }
}
