package dev.cairn.cli;

import dev.cairn.checkpoint.api.CairnEngine;
import dev.cairn.checkpoint.api.CairnException;
import dev.cairn.checkpoint.api.ClusterAddress;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --cluster HOST:PORT[,...]} and {@code --cluster-name}: where running members are. */
final class ClusterOption {
    @Option(
            names = "--cluster",
            paramLabel = "HOST:PORT",
            split = ",",
            required = true,
            description = "Running members to talk to")
    List<String> addresses;

    @Option(
            names = "--cluster-name",
            defaultValue = "cairn",
            description = "The members' cluster name (default ${DEFAULT-VALUE})")
    String name;

    CairnEngine connect() {
        return connect(addresses, name);
    }

    /** Connects; a refusal ends the command with one line saying why (see {@link Refusals}). */
    static CairnEngine connect(List<String> addresses, String name) {
        ClusterAddress address;
        try {
            address = new ClusterAddress(name, addresses);
        } catch (IllegalArgumentException e) {
            throw new CliException(Cairn.EXIT_INVALID, "--cluster: " + e.getMessage());
        }
        try {
            return CairnEngine.connect(address);
        } catch (CairnException e) {
            throw Refusals.toCli(e);
        }
    }
}
