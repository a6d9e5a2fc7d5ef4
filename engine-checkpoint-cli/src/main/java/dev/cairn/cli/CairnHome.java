package dev.cairn.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where this installation lives: {@code CAIRN_HOME} if set (bin/cairn sets it), else the project
 * directory the runnable jar was built in ({@code engine-checkpoint-cli/target/cairn.jar}), else
 * the working directory.
 */
final class CairnHome {
    private CairnHome() {}

    static Path get() {
        String env = System.getenv("CAIRN_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        try {
            Path jar = Path.of(Cairn.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            Path project = jar.getParent() == null ? null : jar.getParent().getParent();
            if (project != null
                    && project.getParent() != null
                    && Files.isDirectory(project.getParent().resolve("config"))) {
                return project.getParent().toAbsolutePath();
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // fall through
        }
        return Path.of("").toAbsolutePath();
    }

    /** The environment for {@code ${NAME}} references, with {@code CAIRN_HOME} always defined. */
    static String env(String name) {
        String value = System.getenv(name);
        if (value == null && name.equals("CAIRN_HOME")) {
            return get().toString();
        }
        return value;
    }
}
