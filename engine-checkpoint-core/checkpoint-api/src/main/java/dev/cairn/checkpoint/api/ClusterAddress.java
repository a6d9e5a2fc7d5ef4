package dev.cairn.checkpoint.api;

import java.util.List;
import java.util.Objects;

/**
 * Where running members are: their cluster name and some of their addresses.
 *
 * @param members {@code host:port} of one or more members
 */
public record ClusterAddress(String clusterName, List<String> members) {
    public ClusterAddress {
        Objects.requireNonNull(clusterName, "clusterName");
        members = List.copyOf(members);
        if (members.isEmpty()) {
            throw new IllegalArgumentException("at least one member address (host:port) is needed");
        }
        for (String member : members) {
            int colon = member.lastIndexOf(':');
            if (colon <= 0 || colon == member.length() - 1) {
                throw new IllegalArgumentException("a member address is host:port, was \"" + member + "\"");
            }
            try {
                int port = Integer.parseInt(member.substring(colon + 1));
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException("a port is 1 to 65535, was " + port + " in \"" + member + "\"");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a member address is host:port, was \"" + member + "\"");
            }
        }
    }

    /** The address of the members {@code bin/cairn member} starts by default. */
    public static ClusterAddress of(String clusterName, String... members) {
        return new ClusterAddress(clusterName, List.of(members));
    }
}
