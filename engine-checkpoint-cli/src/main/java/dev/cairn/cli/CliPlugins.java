package dev.cairn.cli;

import dev.cairn.checkpoint.plugins.Plugin;
import dev.cairn.checkpoint.plugins.Plugins;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugins of this process, loaded once: the folders of the plugins directories ({@code
 * CAIRN_PLUGINS}, a list separated by {@code :}, else {@code CAIRN_HOME/plugins}), each with a class
 * loader of its own. Every command finds storages and jobs through {@link #loader()}: the engine's
 * own class loader, which sees what is built in, and every plugin that loaded.
 */
final class CliPlugins {
    private static final Logger LOG = LoggerFactory.getLogger(CliPlugins.class);

    /** Written once per set of directories; tests run many commands in one JVM. */
    private static Plugins loaded;

    private CliPlugins() {}

    /** Where storages and jobs are found: the engine and its plugins. */
    static ClassLoader loader() {
        return get().classLoader();
    }

    /** The plugins, loaded on first use; a folder that fails is said once, on one line. */
    static synchronized Plugins get() {
        List<Path> roots = roots();
        if (loaded == null || !loaded.roots().equals(roots)) {
            loaded = Plugins.load(roots, Cairn.class.getClassLoader());
            for (Plugin failed : loaded.failed()) {
                LOG.warn(
                        "plugin {} disabled: {}",
                        failed.folder(),
                        failed.problem().orElse(""));
            }
        }
        return loaded;
    }

    /**
     * The plugins directories, in order: the system property {@code cairn.plugins}, else {@code
     * CAIRN_PLUGINS}, else {@code CAIRN_HOME/plugins}.
     */
    static List<Path> roots() {
        String list = System.getProperty("cairn.plugins");
        if (list == null) {
            list = System.getenv("CAIRN_PLUGINS");
        }
        if (list == null || list.isBlank()) {
            return List.of(CairnHome.get().resolve("plugins"));
        }
        List<Path> roots = new ArrayList<>();
        for (String entry : list.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                roots.add(Path.of(entry.strip()).toAbsolutePath().normalize());
            }
        }
        return List.copyOf(roots);
    }
}
