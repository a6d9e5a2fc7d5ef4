package dev.cairn.checkpoint.plugins;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One folder under a plugins directory, as found at start-up.
 *
 * @param name the folder's name
 * @param folder where it is
 * @param jars its jars, sorted by name
 * @param status whether it loaded
 * @param storages the checkpoint storage types it provides, sorted (empty unless loaded)
 * @param jobs the job types it provides, sorted (empty unless loaded)
 * @param problem why it did not load, one line; empty if it loaded
 */
public record Plugin(
        String name,
        Path folder,
        List<Path> jars,
        Status status,
        List<String> storages,
        List<String> jobs,
        Optional<String> problem) {

    /** What became of a plugin folder. */
    public enum Status {
        /** Its class loader is part of the engine's plugins. */
        LOADED,
        /** Disabled: the problem says why. Other plugins are not affected. */
        FAILED,
        /** Not loaded: a folder of the same name in an earlier plugins directory came first. */
        SHADOWED
    }

    public Plugin {
        Objects.requireNonNull(name);
        Objects.requireNonNull(folder);
        jars = List.copyOf(jars);
        Objects.requireNonNull(status);
        storages = List.copyOf(storages);
        jobs = List.copyOf(jobs);
        Objects.requireNonNull(problem);
    }

    public boolean loaded() {
        return status == Status.LOADED;
    }
}
