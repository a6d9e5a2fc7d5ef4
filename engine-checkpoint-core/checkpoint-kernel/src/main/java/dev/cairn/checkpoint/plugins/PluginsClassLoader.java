package dev.cairn.checkpoint.plugins;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * What the rest of the engine is given: one class loader over the engine's own (its parent, for
 * what is built in) and every plugin that loaded. Its resources are the parent's and each plugin's
 * own, so {@link java.util.ServiceLoader} over it reads every healthy plugin's services files; a
 * class not in the engine is loaded by the first plugin that has it, so each provider is an
 * instance of its own plugin's class, linked against that plugin's jars.
 */
final class PluginsClassLoader extends ClassLoader {
    private final Plugins plugins;
    private final List<URLClassLoader> loaders;

    static {
        registerAsParallelCapable();
    }

    PluginsClassLoader(ClassLoader engine, Plugins plugins, List<URLClassLoader> loaders) {
        super("cairn plugins", engine);
        this.plugins = plugins;
        this.loaders = List.copyOf(loaders);
    }

    Plugins plugins() {
        return plugins;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        for (URLClassLoader loader : loaders) {
            try {
                return loader.loadClass(name);
            } catch (ClassNotFoundException e) {
                // the next plugin, then none
            }
        }
        throw new ClassNotFoundException(name);
    }

    @Override
    protected URL findResource(String name) {
        for (URLClassLoader loader : loaders) {
            URL url = loader.findResource(name);
            if (url != null) {
                return url;
            }
        }
        return null;
    }

    @Override
    protected Enumeration<URL> findResources(String name) throws IOException {
        List<URL> all = new ArrayList<>();
        for (URLClassLoader loader : loaders) {
            all.addAll(Collections.list(loader.findResources(name)));
        }
        return Collections.enumeration(all);
    }

    @Override
    public String toString() {
        return "cairn plugins " + plugins.roots();
    }
}
