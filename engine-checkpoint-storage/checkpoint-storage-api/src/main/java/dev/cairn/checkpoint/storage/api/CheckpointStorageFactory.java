package dev.cairn.checkpoint.storage.api;

import java.util.List;
import java.util.Map;

/**
 * Creates {@link CheckpointStorage}s of one kind. Found with {@link java.util.ServiceLoader}: a
 * plugin lists its implementation in {@code
 * META-INF/services/dev.cairn.checkpoint.storage.api.CheckpointStorageFactory} and is selected
 * when its {@link #factoryIdentifier()} equals {@code seatunnel.engine.checkpoint.storage.type}.
 *
 * <p>Implementations need a public no-argument constructor and must be stateless: the engine may
 * call {@link #validate} and {@link #create} any number of times, from any thread. Neither may
 * change the map it is given.
 */
public interface CheckpointStorageFactory {

    /** The storage type this factory answers to, e.g. {@code "hdfs"}. Lower case, stable. */
    String factoryIdentifier();

    /**
     * Checks a {@code plugin-config} section without touching the backend: unknown or misspelt
     * keys, missing required keys, malformed values. Every problem is returned at once; an empty
     * list means {@link #create} may be called. Messages must not contain secret values (use
     * {@link ConfigProblem#of(String, String, String)}, which masks them).
     *
     * <p>A value the engine could not read (an unset {@code ${NAME}}, a list) has been reported
     * by the engine already: it is passed as written, so that its key is present, and problems
     * this method returns for that key are not shown.
     *
     * @param pluginConfig the section as given by the user, with {@code ${ENV}} references resolved
     */
    default List<ConfigProblem> validate(Map<String, String> pluginConfig) {
        return List.of();
    }

    /**
     * Opens a storage. The caller owns it and closes it.
     *
     * @param pluginConfig the {@code plugin-config} section, as passed to {@link #validate}
     * @throws IllegalArgumentException if {@link #validate} reports problems for this config
     * @throws CheckpointStorageException if the backend cannot be reached or logged into
     */
    CheckpointStorage create(Map<String, String> pluginConfig) throws CheckpointStorageException;
}
