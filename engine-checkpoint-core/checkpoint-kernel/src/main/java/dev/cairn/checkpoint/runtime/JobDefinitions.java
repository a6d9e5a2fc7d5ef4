package dev.cairn.checkpoint.runtime;

import dev.cairn.checkpoint.api.JobDefinition;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** The {@link JobDefinition}s on the class path, by type, found with {@link ServiceLoader}. */
public final class JobDefinitions {
    private static final Map<ClassLoader, Map<String, JobDefinition>> CACHE = new ConcurrentHashMap<>();

    private JobDefinitions() {}

    public static Optional<JobDefinition> find(String type, ClassLoader loader) {
        return Optional.ofNullable(all(loader).get(type));
    }

    public static Map<String, JobDefinition> all(ClassLoader loader) {
        return CACHE.computeIfAbsent(loader, l -> {
            Map<String, JobDefinition> byType = new TreeMap<>();
            ServiceLoader.load(JobDefinition.class, l).forEach(d -> byType.put(d.type(), d));
            return Map.copyOf(byType);
        });
    }
}
