package dev.cairn.checkpoint.storage.api;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Finds {@link CheckpointStorageFactory} implementations with {@link ServiceLoader}.
 *
 * <p>Discovery is per provider: a provider that cannot be loaded (a malformed services file, a
 * class that is missing or cannot be linked, a constructor or {@code factoryIdentifier()} that
 * throws) is left out and reported by {@link #failures}, and every other factory is still found.
 *
 * <p>A factory whose class comes from another class loader than this API's (a plugin folder with a
 * class loader of its own) is returned wrapped: every call into it, and into the storages it
 * creates, runs with that class loader as the thread's context class loader (client libraries such
 * as Hadoop look their own classes and services up there), and a {@link LinkageError} from {@code
 * create} or a storage (a class its jars lack) becomes a {@link CheckpointStorageException} naming
 * the class and the plugin's class loader, rather than an error that ends the calling thread.
 */
public final class CheckpointStorageFactories {
    /** A services file that keeps failing the same way must not keep discovery looping. */
    private static final int MAX_FAILURES = 100;

    private CheckpointStorageFactories() {}

    /**
     * The factory whose {@link CheckpointStorageFactory#factoryIdentifier()} is {@code type}.
     *
     * @param classLoader where plugins are looked for
     * @throws IllegalArgumentException if none or several match; the message lists the identifiers
     *     found and the providers that could not be loaded (for none) or the competing classes (for
     *     several)
     */
    public static CheckpointStorageFactory find(String type, ClassLoader classLoader) {
        Objects.requireNonNull(type, "type");
        Discovery found = discover(classLoader);
        List<CheckpointStorageFactory> matches = new ArrayList<>();
        for (CheckpointStorageFactory factory : found.factories) {
            if (factory.factoryIdentifier().equals(type)) {
                matches.add(factory);
            }
        }
        if (matches.size() == 1) {
            return isolated(matches.get(0));
        }
        if (matches.isEmpty()) {
            throw new IllegalArgumentException("no checkpoint storage '" + type + "'; available: "
                    + (found.factories.isEmpty()
                            ? "none (no plugin jar on the class path)"
                            : String.join(", ", identifiers(found.factories)))
                    + (found.failures.isEmpty() ? "" : "; not loaded: " + String.join("; ", found.failures)));
        }
        throw new IllegalArgumentException("several checkpoint storages are called '" + type + "': "
                + matches.stream()
                        .map(CheckpointStorageFactories::origin)
                        .sorted()
                        .collect(Collectors.joining(", "))
                + "; remove all but one of their jars from the class path");
    }

    /** The identifiers of every factory found, sorted, without duplicates. */
    public static List<String> identifiers(ClassLoader classLoader) {
        return identifiers(discover(classLoader).factories);
    }

    /**
     * The providers that could not be loaded, one line each (what failed and why), in the order
     * met; empty if every provider loaded.
     */
    public static List<String> failures(ClassLoader classLoader) {
        return discover(classLoader).failures;
    }

    /**
     * One line saying why a provider could not be loaded or run: the error's message without the
     * service's name, and its root cause.
     */
    public static String describe(Throwable failure) {
        String message = String.valueOf(failure.getMessage());
        String prefix = CheckpointStorageFactory.class.getName() + ": ";
        if (message.startsWith(prefix)) {
            message = message.substring(prefix.length());
        }
        String line = failure instanceof ServiceConfigurationError
                ? message
                : failure.getClass().getSimpleName() + ": " + message;
        // The cause worth naming: the first linkage error (the class that is missing), else the root.
        // A linkage error says it all itself: its own cause is only how the JVM found out.
        Throwable cause = null;
        for (Throwable t = failure.getCause();
                t != null && !(failure instanceof LinkageError) && cause != t;
                t = t.getCause()) {
            cause = t;
            if (t instanceof LinkageError || t.getCause() == t) {
                break;
            }
        }
        if (cause != null) {
            line += " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")";
        }
        return line.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    private static List<String> identifiers(List<CheckpointStorageFactory> factories) {
        return List.copyOf(factories.stream()
                .map(CheckpointStorageFactory::factoryIdentifier)
                .collect(Collectors.toCollection(TreeSet::new)));
    }

    private static String origin(CheckpointStorageFactory factory) {
        ClassLoader loader = factory.getClass().getClassLoader();
        // Where it comes from, when that is a class loader of its own with a name (a plugin folder).
        String name =
                loader == null || loader == CheckpointStorageFactory.class.getClassLoader() ? null : loader.getName();
        return factory.getClass().getName() + (name == null ? "" : " (" + name + ")");
    }

    private static CheckpointStorageFactory isolated(CheckpointStorageFactory factory) {
        ClassLoader own = factory.getClass().getClassLoader();
        return own == null || own == CheckpointStorageFactory.class.getClassLoader()
                ? factory
                : new IsolatedFactory(factory, own);
    }

    private record Discovery(List<CheckpointStorageFactory> factories, List<String> failures) {}

    /**
     * Every provider, one at a time: the iterator moves past a provider whose services file or
     * class fails, so one broken jar costs its own factories only.
     */
    private static Discovery discover(ClassLoader classLoader) {
        List<CheckpointStorageFactory> factories = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Iterator<CheckpointStorageFactory> providers =
                ServiceLoader.load(CheckpointStorageFactory.class, classLoader).iterator();
        while (failures.size() < MAX_FAILURES) {
            try {
                if (!providers.hasNext()) {
                    break;
                }
                CheckpointStorageFactory factory = providers.next();
                factory.factoryIdentifier(); // a factory that cannot even say its name is broken
                factories.add(factory);
            } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
                failures.add(describe(e));
            }
        }
        return new Discovery(List.copyOf(factories), List.copyOf(failures));
    }
}
