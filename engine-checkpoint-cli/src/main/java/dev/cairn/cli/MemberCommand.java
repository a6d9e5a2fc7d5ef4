package dev.cairn.cli;

import dev.cairn.checkpoint.cluster.CairnMember;
import dev.cairn.checkpoint.config.EngineConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "member",
        mixinStandardHelpOptions = true,
        description = "Starts a cluster member and runs until stopped (Ctrl-C or SIGTERM leave the cluster cleanly).")
final class MemberCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(
            names = "--hazelcast",
            paramLabel = "FILE",
            description = "hazelcast.yaml to use (default: config/hazelcast.yaml)")
    Path hazelcast;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        EngineConfig engine = config.load();
        Path hazelcastFile = hazelcast != null
                ? hazelcast
                : CairnHome.get().resolve("config").resolve("hazelcast.yaml");
        if (!Files.isRegularFile(hazelcastFile)) {
            throw new CliException(Cairn.EXIT_INVALID, hazelcastFile + ": no such file");
        }
        CairnMember member;
        try {
            member =
                    CairnMember.start(engine, CairnMember.hazelcastConfig(hazelcastFile), Cairn.class.getClassLoader());
        } catch (IOException | RuntimeException e) {
            throw new CliException(
                    Cairn.EXIT_FAILED, "cannot start the member with " + hazelcastFile + ": " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        var local = member.hazelcast().getCluster().getLocalMember();
        out.printf(
                "member %s of cluster %s started (%d members); storage: %s%n",
                local.getAddress(),
                member.hazelcast().getConfig().getClusterName(),
                member.hazelcast().getCluster().getMembers().size(),
                engine.checkpoint().storage().maskedPluginConfig());
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            member.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
