package dev.cairn.checkpoint.cluster;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import dev.cairn.checkpoint.api.CairnEngine;
import dev.cairn.checkpoint.api.CairnEngineProvider;
import dev.cairn.checkpoint.api.ClusterAddress;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.cluster.internal.client.CairnClient;
import dev.cairn.checkpoint.cluster.internal.client.ClusterEngine;
import java.util.function.Function;

/** Cairn's engines on Hazelcast: found by {@link CairnEngine#local} and {@link CairnEngine#connect}. */
public final class ClusterEngineProvider implements CairnEngineProvider {

    /** An engine in this process: one member that joins nobody, on loopback. */
    @Override
    public CairnEngine local(EngineConfig config, ClassLoader jobs) {
        return new ClusterEngine(new LocalConnection(CairnMember.start(config, CairnMember.localConfig(), jobs), true));
    }

    /** An engine over running members, or a {@link dev.cairn.checkpoint.api.CairnException} saying why not. */
    @Override
    public CairnEngine connect(ClusterAddress cluster) {
        return new ClusterEngine(CairnClient.connect(cluster));
    }

    /**
     * An engine over members that a Hazelcast client made by {@code clients} (from Cairn's client
     * configuration) reaches: for test networks, such as the test kit's.
     */
    public static CairnEngine connect(String clusterName, Function<ClientConfig, HazelcastInstance> clients) {
        return new ClusterEngine(CairnClient.connect(clusterName, clients, "the cluster '" + clusterName + "'"));
    }

    /** An engine over a member of this process that is part of a cluster (tests, embedders running members). */
    public static CairnEngine over(CairnMember member) {
        return new ClusterEngine(new LocalConnection(member, false)); // the member is its owner's to close
    }
}
