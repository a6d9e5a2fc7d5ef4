package dev.cairn.checkpoint.cluster;

import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import dev.cairn.checkpoint.cluster.internal.client.ClusterEngine;
import dev.cairn.checkpoint.cluster.internal.rpc.Messages;

/** The connection of a {@link ClusterEngine} to a member in this process: requests run on the caller's thread. */
final class LocalConnection implements ClusterEngine.Connection {
    private final CairnMember member;
    private final boolean owned;

    /** @param owned whether closing the engine closes the member */
    LocalConnection(CairnMember member, boolean owned) {
        this.member = member;
        this.owned = owned;
    }

    @Override
    public Messages.Reply request(Object message) {
        return (Messages.Reply) member.node().handle(message);
    }

    @Override
    public IMap<String, byte[]> jobs() {
        return member.node().maps().jobs();
    }

    @Override
    public void onLost(Runnable lost) {
        member.hazelcast().getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN) {
                lost.run();
            }
        });
    }

    @Override
    public String describe() {
        return "the engine in this process";
    }

    @Override
    public String lostMessage() {
        // In the CLI this is what Ctrl-C (or SIGTERM) looks like: the JVM's shutdown stops the member.
        return "the engine in this process has stopped (the process is shutting down, or the engine was closed)";
    }

    @Override
    public void close() {
        if (owned) {
            member.close();
        }
    }
}
