package dev.cairn.checkpoint.api;

import dev.cairn.checkpoint.api.config.EngineConfig;

/** Makes {@link CairnEngine}s; Cairn's cluster jar provides one, found with {@code ServiceLoader}. */
public interface CairnEngineProvider {

    /** @param jobs where job definitions are found */
    CairnEngine local(EngineConfig config, ClassLoader jobs);

    CairnEngine connect(ClusterAddress cluster);
}
