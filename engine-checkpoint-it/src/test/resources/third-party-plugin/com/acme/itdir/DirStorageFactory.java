package com.acme.itdir;

import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.api.ConfigProblem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A third-party plugin, built by DistributionIT and dropped into a distribution's plugins/. */
public final class DirStorageFactory implements CheckpointStorageFactory {
    static final String VERSION = "@VERSION@";

    @Override
    public String factoryIdentifier() {
        return "it-dir";
    }

    @Override
    public List<ConfigProblem> validate(Map<String, String> config) {
        List<ConfigProblem> problems = new ArrayList<>();
        for (String key : config.keySet()) {
            if (!key.equals("directory")) {
                problems.add(ConfigProblem.unknownKey(key, List.of("directory")));
            }
        }
        if (!config.containsKey("directory")) {
            problems.add(ConfigProblem.missing("directory", "for type it-dir"));
        }
        return problems;
    }

    @Override
    public CheckpointStorage create(Map<String, String> config) {
        if (!validate(config).isEmpty()) {
            throw new IllegalArgumentException("invalid it-dir plugin-config: " + validate(config));
        }
        return new DirStorage(Path.of(config.get("directory")).toAbsolutePath(), VERSION);
    }
}
