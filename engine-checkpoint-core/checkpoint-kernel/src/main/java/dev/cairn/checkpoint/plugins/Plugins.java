package dev.cairn.checkpoint.plugins;

import dev.cairn.checkpoint.api.JobDefinition;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The plugins of one engine process: every folder {@code <root>/<name>/} of the given plugins
 * directories is one plugin, loaded by a class loader of its own from all the jars in it, whose
 * parent shows only the storage API, the job API, the logging API and the JDK ({@link
 * #SHARED_PACKAGES}). Two plugins may therefore carry different versions of one library.
 *
 * <p>Each plugin is checked when loaded: its {@link CheckpointStorageFactory} and {@link
 * JobDefinition} providers are found with {@link ServiceLoader} over its own class loader and
 * instantiated. A plugin whose services file is malformed, names a missing class, or whose factory
 * throws (a {@link LinkageError} included) is {@link Plugin.Status#FAILED}: disabled alone, with a
 * one-line reason. The plugins that loaded are presented to the engine through one class loader,
 * {@link #classLoader()}, whose parent is the engine's own (for what is built in).
 *
 * <p>Jars are opened when loaded, never copied or cached across processes: a changed jar is what
 * the next process loads.
 */
public final class Plugins implements AutoCloseable {
    /** Package prefixes that plugins share with the engine; everything else is their own. */
    public static final List<String> SHARED_PACKAGES = ApiOnlyClassLoader.SHARED_PACKAGES;

    private final List<Path> roots;
    private final List<Plugin> plugins;
    private final List<URLClassLoader> loaders;
    private final PluginsClassLoader classLoader;

    private Plugins(List<Path> roots, List<Plugin> plugins, List<URLClassLoader> loaders, ClassLoader engine) {
        this.roots = List.copyOf(roots);
        this.plugins = List.copyOf(plugins);
        this.loaders = List.copyOf(loaders);
        this.classLoader = new PluginsClassLoader(engine, this, loaders);
    }

    /**
     * Loads the plugins of the given directories, in order; a directory that does not exist has
     * none. Of two folders with the same name, the one in the earlier directory is loaded and the
     * other is {@link Plugin.Status#SHADOWED}.
     *
     * @param engine the engine's class loader: what plugins share comes from it, and it is the
     *     parent of {@link #classLoader()}
     */
    public static Plugins load(List<Path> roots, ClassLoader engine) {
        Objects.requireNonNull(engine, "engine");
        ApiOnlyClassLoader api = new ApiOnlyClassLoader(engine);
        List<Plugin> plugins = new ArrayList<>();
        List<URLClassLoader> loaders = new ArrayList<>();
        Map<String, Path> seen = new HashMap<>();
        for (Path root : roots) {
            for (Path folder : entries(root)) {
                String name = folder.getFileName().toString();
                if (!Files.isDirectory(folder)) {
                    if (name.endsWith(".jar")) {
                        plugins.add(failed(
                                name,
                                folder,
                                List.of(),
                                "a jar directly in the plugins directory is not"
                                        + " loaded: put it in a folder of its own, "
                                        + root.resolve("NAME").resolve(name)));
                    }
                    continue;
                }
                List<Path> jars = jars(folder);
                Path first = seen.putIfAbsent(name, folder);
                if (first != null) {
                    plugins.add(new Plugin(
                            name,
                            folder,
                            jars,
                            Plugin.Status.SHADOWED,
                            List.of(),
                            List.of(),
                            Optional.of("shadowed by " + first)));
                    continue;
                }
                plugins.add(load(name, folder, jars, api, loaders));
            }
        }
        return new Plugins(roots, plugins, loaders, engine);
    }

    /** No plugin folders: {@link #classLoader()} is the engine's own, in effect. */
    public static Plugins none(ClassLoader engine) {
        return load(List.of(), engine);
    }

    /** The {@link Plugins} behind a class loader made by {@link #classLoader()}, if it is one. */
    public static Optional<Plugins> of(ClassLoader loader) {
        return loader instanceof PluginsClassLoader facade ? Optional.of(facade.plugins()) : Optional.empty();
    }

    /** The class loader to find storages and jobs with: the engine's, and every plugin that loaded. */
    public ClassLoader classLoader() {
        return classLoader;
    }

    /** The plugins directories searched, in order. */
    public List<Path> roots() {
        return roots;
    }

    /** Every plugin folder found, loaded or not, in the order searched. */
    public List<Plugin> all() {
        return plugins;
    }

    public List<Plugin> failed() {
        return plugins.stream().filter(p -> p.status() == Plugin.Status.FAILED).toList();
    }

    /**
     * What to add to "no checkpoint storage 'type'": the plugin that should have provided it and
     * why it failed (a failed plugin whose folder is named {@code type}), else where plugins are
     * looked for and which failed.
     */
    public String hint(String type) {
        for (Plugin plugin : failed()) {
            if (plugin.name().equals(type)) {
                return "the plugin in " + plugin.folder() + " failed to load: "
                        + plugin.problem().orElse("");
            }
        }
        String where = roots.isEmpty()
                ? "no plugins directory is set (CAIRN_PLUGINS)"
                : "plugins are the folders in "
                        + roots.stream()
                                .map(root -> root + (Files.isDirectory(root) ? "" : " (does not exist)"))
                                .collect(Collectors.joining(", "));
        List<Plugin> failed = failed();
        return where
                + (failed.isEmpty()
                        ? ""
                        : "; failed to load: "
                                + failed.stream()
                                        .map(p ->
                                                p.folder() + ": " + p.problem().orElse(""))
                                        .collect(Collectors.joining("; ")));
    }

    /** Closes every plugin's class loader (their jars). */
    @Override
    public void close() {
        for (URLClassLoader loader : loaders) {
            try {
                loader.close();
            } catch (IOException e) {
                // nothing left to do about it
            }
        }
    }

    private static Plugin load(
            String name, Path folder, List<Path> jars, ClassLoader api, List<URLClassLoader> loaders) {
        if (jars.isEmpty()) {
            return failed(name, folder, jars, "no .jar file in it");
        }
        URLClassLoader loader = new URLClassLoader("plugin " + name, urls(jars), api);
        try {
            List<String> storages = types(
                    ServiceLoader.load(CheckpointStorageFactory.class, loader),
                    CheckpointStorageFactory::factoryIdentifier);
            List<String> jobs = types(ServiceLoader.load(JobDefinition.class, loader), JobDefinition::type);
            if (storages.isEmpty() && jobs.isEmpty()) {
                throw new ProblemException("its jars list no " + CheckpointStorageFactory.class.getSimpleName()
                        + " and no " + JobDefinition.class.getSimpleName() + " in META-INF/services");
            }
            loaders.add(loader);
            return new Plugin(name, folder, jars, Plugin.Status.LOADED, storages, jobs, Optional.empty());
        } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
            try {
                loader.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            return failed(
                    name,
                    folder,
                    jars,
                    e instanceof ProblemException ? e.getMessage() : CheckpointStorageFactories.describe(e));
        }
    }

    /** Every provider's type; the first provider that fails fails the plugin. */
    private static <S> List<String> types(ServiceLoader<S> services, java.util.function.Function<S, String> type) {
        TreeSet<String> types = new TreeSet<>();
        Iterator<S> providers = services.iterator();
        while (providers.hasNext()) {
            types.add(Objects.requireNonNull(type.apply(providers.next()), "a provider's type is null"));
        }
        return List.copyOf(types);
    }

    private static Plugin failed(String name, Path folder, List<Path> jars, String problem) {
        return new Plugin(name, folder, jars, Plugin.Status.FAILED, List.of(), List.of(), Optional.of(problem));
    }

    private static List<Path> entries(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(root)) {
            return entries.filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the plugins directory " + root, e);
        }
    }

    private static List<Path> jars(Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the plugin folder " + folder, e);
        }
    }

    private static URL[] urls(List<Path> jars) {
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = jars.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException(jars.get(i) + ": " + e.getMessage(), e);
            }
        }
        return urls;
    }

    /** A plugin problem that is already a sentence. */
    private static final class ProblemException extends RuntimeException {
        ProblemException(String message) {
            super(message);
        }
    }
}
