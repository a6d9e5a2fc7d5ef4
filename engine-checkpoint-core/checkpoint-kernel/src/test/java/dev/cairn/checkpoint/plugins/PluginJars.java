package dev.cairn.checkpoint.plugins;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.JobDefinition;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Compiles plugin sources in a test and packs their classes into jars: plugins made on the spot. */
final class PluginJars {
    private PluginJars() {}

    /**
     * Compiles {@code sources} (class name to source text) against the storage and job APIs into
     * a new directory under {@code work}; returns it.
     */
    static Path compile(Path work, Map<String, String> sources) throws IOException {
        Path dir = Files.createTempDirectory(work, "classes");
        Path src = Files.createTempDirectory(work, "src");
        List<String> args = new ArrayList<>(List.of(
                "-d",
                dir.toString(),
                "-classpath",
                location(CheckpointStorageFactory.class) + File.pathSeparator + location(JobDefinition.class),
                "-proc:none",
                "-nowarn"));
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = src.resolve(source.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            args.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter errors = new StringWriter();
        int status = javac.run(
                null,
                null,
                new java.io.PrintStream(OutputStream.nullOutputStream()) {
                    @Override
                    public void write(byte[] b, int off, int len) {
                        errors.write(new String(b, off, len, StandardCharsets.UTF_8));
                    }
                },
                args.toArray(String[]::new));
        assertTrue(status == 0, "javac failed: " + errors);
        return dir;
    }

    /**
     * Writes a jar with the compiled classes of {@code classes} (class names; nested classes come
     * along) from {@code classesDir}, and the given extra entries (path to text).
     */
    static Path jar(Path jar, Path classesDir, List<String> classes, Map<String, String> entries) throws IOException {
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String name : classes) {
                String path = name.replace('.', '/');
                Path dir = classesDir.resolve(path).getParent();
                String simple = classesDir.resolve(path).getFileName().toString();
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path file : files.filter(f -> {
                                String n = f.getFileName().toString();
                                return n.equals(simple + ".class") || n.startsWith(simple + "$");
                            })
                            .toList()) {
                        out.putNextEntry(new JarEntry(
                                classesDir.relativize(file).toString().replace(File.separatorChar, '/')));
                        out.write(Files.readAllBytes(file));
                        out.closeEntry();
                    }
                }
            }
            for (Map.Entry<String, String> entry : entries.entrySet()) {
                out.putNextEntry(new JarEntry(entry.getKey()));
                out.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    static String services(Class<?> service) {
        return "META-INF/services/" + service.getName();
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
