package dev.cairn.cli;

import dev.cairn.checkpoint.cluster.CairnClient;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --cluster HOST:PORT[,...]} and {@code --cluster-name}: where running members are. */
final class ClusterOption {
    @Option(
            names = "--cluster",
            paramLabel = "HOST:PORT[,HOST:PORT...]",
            split = ",",
            required = true,
            description = "Running members to talk to")
    List<String> addresses;

    @Option(
            names = "--cluster-name",
            defaultValue = "cairn",
            description = "The members' cluster name (default ${DEFAULT-VALUE})")
    String name;

    CairnClient connect() {
        try {
            return CairnClient.connect(addresses, name);
        } catch (RuntimeException e) {
            throw new CliException(
                    Cairn.EXIT_FAILED, "cannot reach the cluster at " + addresses + ": " + e.getMessage());
        }
    }
}
