package dev.cairn.checkpoint.cluster.internal.node;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceImpl;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.networking.nio.NioChannel;
import com.hazelcast.internal.server.ServerConnection;
import com.hazelcast.internal.server.tcp.TcpServerConnection;

/** What crossed the wire ({@link dev.cairn.checkpoint.cluster.CairnMember#bytesReadFromMembers}). */
public final class Connections {
    private Connections() {}

    /**
     * The bytes a member has read from its open connections to other members so far (members in one
     * process still talk over loopback sockets; clients' connections are not counted). The counters
     * of a connection that closed go with it.
     */
    public static long bytesRead(HazelcastInstance member) {
        HazelcastInstanceImpl instance = ((HazelcastInstanceProxy) member).getOriginal();
        long read = 0;
        for (ServerConnection connection : instance.node.getServer().getConnections()) {
            if (!connection.isClient()
                    && connection instanceof TcpServerConnection tcp
                    && tcp.getChannel() instanceof NioChannel channel) {
                read += channel.bytesRead();
            }
        }
        return read;
    }
}
