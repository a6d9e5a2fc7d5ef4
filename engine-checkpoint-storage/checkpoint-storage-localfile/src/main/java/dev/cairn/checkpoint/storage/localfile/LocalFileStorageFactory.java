package dev.cairn.checkpoint.storage.localfile;

import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.api.ConfigProblem;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Factory id {@code localfile}: checkpoints on the local disk with plain {@code java.nio}.
 *
 * <p><b>Deprecated</b> as a choice for new deployments, as in SeaTunnel: prefer the {@code hdfs}
 * plugin with {@code storage.type: local}, which can later move to HDFS or an object store by
 * changing configuration only. It stays fully supported and meets the whole storage contract
 * (temporary file, {@code force}, atomic move, directory sync).
 *
 * <p>Keys of {@code plugin-config}:
 *
 * <ul>
 *   <li>{@code namespace}: the root directory, default {@value #DEFAULT_NAMESPACE}. With or without
 *       a trailing separator it names the same directory. A relative path is resolved against the
 *       working directory of the process.
 * </ul>
 */
public final class LocalFileStorageFactory implements CheckpointStorageFactory {
    public static final String IDENTIFIER = "localfile";
    public static final String NAMESPACE = "namespace";
    public static final String DEFAULT_NAMESPACE = "/tmp/seatunnel/checkpoint/";
    private static final Set<String> KEYS = Set.of(NAMESPACE);

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public List<ConfigProblem> validate(Map<String, String> pluginConfig) {
        List<ConfigProblem> problems = new ArrayList<>();
        pluginConfig.keySet().stream()
                .filter(key -> !KEYS.contains(key))
                .sorted()
                .forEach(key -> problems.add(ConfigProblem.unknownKey(key, KEYS)));
        String namespace = pluginConfig.get(NAMESPACE);
        if (namespace != null) {
            if (namespace.isBlank()) {
                problems.add(ConfigProblem.of(NAMESPACE, "must be a directory path", namespace));
            } else {
                try {
                    Path.of(namespace);
                } catch (InvalidPathException e) {
                    problems.add(ConfigProblem.of(NAMESPACE, "is not a valid path (" + e.getReason() + ")", namespace));
                }
            }
        }
        return problems;
    }

    @Override
    public CheckpointStorage create(Map<String, String> pluginConfig) {
        List<ConfigProblem> problems = validate(pluginConfig);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid localfile plugin-config: " + problems);
        }
        Path root = Path.of(pluginConfig.getOrDefault(NAMESPACE, DEFAULT_NAMESPACE))
                .toAbsolutePath()
                .normalize();
        return new LocalFileStorage(root);
    }
}
