package dev.cairn.checkpoint.storage.example;

import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.api.ConfigProblem;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Factory id {@value #IDENTIFIER}: keeps each job's checkpoints in one ZIP archive, {@code
 * {directory}/{jobId}.zip} (see {@link ExampleZipStorage}). An example for plugin authors, not for
 * large jobs.
 *
 * <p>Keys of {@code plugin-config}:
 *
 * <ul>
 *   <li>{@code directory} (required): the directory that holds the archives; created when the
 *       first checkpoint is stored. A relative path is resolved against the working directory.
 *   <li>{@code compress} (optional, default {@code true}): {@code false} writes entries at deflate
 *       level 0, stored blocks without compression (a ZIP {@code STORED} entry would need the
 *       source's size and CRC before its first byte, so the source would have to be buffered).
 * </ul>
 *
 * <p>Like every factory it is stateless and has a public no-argument constructor: {@link
 * java.util.ServiceLoader} creates it, and the engine calls it from any thread.
 */
public final class ExampleZipStorageFactory implements CheckpointStorageFactory {
    public static final String IDENTIFIER = "example-zip";
    public static final String DIRECTORY = "directory";
    public static final String COMPRESS = "compress";
    private static final Set<String> KEYS = Set.of(DIRECTORY, COMPRESS);

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    /** Every problem at once, without touching the disk. Values go through ConfigProblem.of. */
    @Override
    public List<ConfigProblem> validate(Map<String, String> pluginConfig) {
        List<ConfigProblem> problems = new ArrayList<>();
        pluginConfig.keySet().stream()
                .filter(key -> !KEYS.contains(key))
                .sorted()
                .forEach(key -> problems.add(ConfigProblem.unknownKey(key, KEYS)));

        String directory = pluginConfig.get(DIRECTORY);
        if (directory == null) {
            problems.add(ConfigProblem.missing(
                    DIRECTORY, "for type " + IDENTIFIER + ": where the job archives go, e.g. /var/lib/cairn/zips"));
        } else if (directory.isBlank()) {
            problems.add(ConfigProblem.of(DIRECTORY, "must be a directory path", directory));
        } else {
            try {
                Path.of(directory);
            } catch (InvalidPathException e) {
                problems.add(ConfigProblem.of(DIRECTORY, "is not a valid path (" + e.getReason() + ")", directory));
            }
        }

        String compress = pluginConfig.get(COMPRESS);
        if (compress != null && parseBoolean(compress) == null) {
            problems.add(ConfigProblem.of(COMPRESS, "must be true or false", compress));
        }
        return problems;
    }

    @Override
    public CheckpointStorage create(Map<String, String> pluginConfig) {
        List<ConfigProblem> problems = validate(pluginConfig);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid " + IDENTIFIER + " plugin-config: " + problems);
        }
        Path directory = Path.of(pluginConfig.get(DIRECTORY)).toAbsolutePath().normalize();
        boolean compress = Boolean.TRUE.equals(parseBoolean(pluginConfig.getOrDefault(COMPRESS, "true")));
        return new ExampleZipStorage(directory, compress);
    }

    /** {@code true}, {@code false} (any case, blanks around ignored), or {@code null} for anything else. */
    private static Boolean parseBoolean(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> null;
        };
    }
}
