package dev.cairn.checkpoint.plugins;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The parent of every plugin's class loader: the JDK (the platform class loader) and, from the
 * engine's class loader, only the packages a plugin may share with the engine. Everything else of
 * the engine (Hazelcast, Kryo, SnakeYAML, its own services files) is invisible to plugins, so a
 * plugin can carry any version of any library.
 */
final class ApiOnlyClassLoader extends ClassLoader {
    /**
     * What plugins share with the engine: the storage API, the job API, and the logging API with
     * its reload4j back end, so that a plugin's log lines (Hadoop's included) go where the engine's
     * go, configured once. A plugin's own copy of any of these is never used.
     */
    static final List<String> SHARED_PACKAGES = List.of(
            "dev.cairn.checkpoint.storage.api.", "dev.cairn.checkpoint.api.", "org.slf4j.", "org.apache.log4j.");

    private final ClassLoader engine;

    static {
        registerAsParallelCapable();
    }

    ApiOnlyClassLoader(ClassLoader engine) {
        super("cairn api", ClassLoader.getPlatformClassLoader());
        this.engine = engine;
    }

    static boolean shared(String className) {
        for (String prefix : SHARED_PACKAGES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** {@code dev/cairn/checkpoint/api/X.class} is shared if {@code dev.cairn.checkpoint.api.X} is. */
    private static boolean sharedResource(String name) {
        return !name.startsWith("META-INF/") && shared(name.replace('/', '.'));
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (shared(name)) {
            return engine.loadClass(name);
        }
        return super.loadClass(name, resolve); // the platform class loader, then nothing
    }

    @Override
    public URL getResource(String name) {
        return sharedResource(name) ? engine.getResource(name) : super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        return sharedResource(name) ? engine.getResources(name) : super.getResources(name);
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        return Collections.emptyEnumeration();
    }
}
