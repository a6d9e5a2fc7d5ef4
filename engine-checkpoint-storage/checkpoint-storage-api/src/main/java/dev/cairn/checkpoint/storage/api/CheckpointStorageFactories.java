package dev.cairn.checkpoint.storage.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Finds {@link CheckpointStorageFactory} implementations with {@link ServiceLoader}. */
public final class CheckpointStorageFactories {
    private CheckpointStorageFactories() {}

    /**
     * The factory whose {@link CheckpointStorageFactory#factoryIdentifier()} is {@code type}.
     *
     * @param classLoader where plugins are looked for
     * @throws IllegalArgumentException if none or several match; the message lists the identifiers
     *     found (for none) or the competing classes (for several)
     */
    public static CheckpointStorageFactory find(String type, ClassLoader classLoader) {
        Objects.requireNonNull(type, "type");
        List<CheckpointStorageFactory> all = all(classLoader);
        List<CheckpointStorageFactory> matches = new ArrayList<>();
        for (CheckpointStorageFactory factory : all) {
            if (factory.factoryIdentifier().equals(type)) {
                matches.add(factory);
            }
        }
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (matches.isEmpty()) {
            throw new IllegalArgumentException("no checkpoint storage '" + type + "'; available: "
                    + (all.isEmpty() ? "none (no plugin jar on the class path)" : String.join(", ", identifiers(all))));
        }
        throw new IllegalArgumentException("several checkpoint storages are called '" + type + "': "
                + matches.stream().map(f -> f.getClass().getName()).sorted().collect(Collectors.joining(", "))
                + "; remove all but one of their jars from the class path");
    }

    /** The identifiers of every factory found, sorted, without duplicates. */
    public static List<String> identifiers(ClassLoader classLoader) {
        return identifiers(all(classLoader));
    }

    private static List<String> identifiers(List<CheckpointStorageFactory> factories) {
        return List.copyOf(factories.stream()
                .map(CheckpointStorageFactory::factoryIdentifier)
                .collect(Collectors.toCollection(TreeSet::new)));
    }

    private static List<CheckpointStorageFactory> all(ClassLoader classLoader) {
        List<CheckpointStorageFactory> factories = new ArrayList<>();
        ServiceLoader.load(CheckpointStorageFactory.class, classLoader).forEach(factories::add);
        return factories;
    }
}
