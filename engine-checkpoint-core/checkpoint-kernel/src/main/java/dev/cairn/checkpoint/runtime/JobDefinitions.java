package dev.cairn.checkpoint.runtime;

import dev.cairn.checkpoint.api.JobDefinition;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link JobDefinition}s a class loader offers, by type, found with {@link ServiceLoader}. A
 * provider that cannot be loaded (a malformed services file, a missing class, a constructor that
 * throws) is left out with a warning naming it; the others are still found.
 */
public final class JobDefinitions {
    private static final Logger LOG = LoggerFactory.getLogger(JobDefinitions.class);
    private static final int MAX_FAILURES = 100;
    private static final Map<ClassLoader, Map<String, JobDefinition>> CACHE = new ConcurrentHashMap<>();

    private JobDefinitions() {}

    public static Optional<JobDefinition> find(String type, ClassLoader loader) {
        return Optional.ofNullable(all(loader).get(type));
    }

    public static Map<String, JobDefinition> all(ClassLoader loader) {
        return CACHE.computeIfAbsent(loader, l -> {
            Map<String, JobDefinition> byType = new TreeMap<>();
            Iterator<JobDefinition> providers =
                    ServiceLoader.load(JobDefinition.class, l).iterator();
            for (int failures = 0; failures < MAX_FAILURES; ) {
                try {
                    if (!providers.hasNext()) {
                        break;
                    }
                    JobDefinition definition = providers.next();
                    byType.put(definition.type(), definition);
                } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
                    failures++;
                    LOG.warn("A job definition cannot be loaded: {}", e.toString());
                }
            }
            return Map.copyOf(byType);
        });
    }
}
