package dev.cairn.checkpoint.cluster.internal.rpc;

import com.hazelcast.core.HazelcastInstance;

/** Handles the messages that arrive at a member in {@link CairnCall}s: the member's Cairn node. */
public interface MessageHandler {
    /** Where a member keeps its handler, in its Hazelcast instance's user context. */
    String USER_CONTEXT_KEY = "cairn.node";

    /** Handles a message on the receiving member; returns the reply. */
    Object handle(Object message);

    /** The handler of the member {@code hazelcast} is. */
    static MessageHandler of(HazelcastInstance hazelcast) {
        Object handler = hazelcast.getUserContext().get(USER_CONTEXT_KEY);
        if (handler == null) {
            throw new IllegalStateException("this Hazelcast member runs no Cairn node");
        }
        return (MessageHandler) handler;
    }
}
