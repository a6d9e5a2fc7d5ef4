package dev.cairn.cli;

import com.hazelcast.config.Config;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.cluster.CairnMember;
import dev.cairn.checkpoint.demo.DemoJob;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.log4j.Level;
import org.apache.log4j.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "member",
        mixinStandardHelpOptions = true,
        description = {
            "Starts a cluster member and runs until stopped (Ctrl-C or SIGTERM leave the cluster cleanly).",
            "Logs Cairn's INFO lines (jobs, restores, a status line every print-execution-info-interval) to stderr,",
            "unless -Dlog4j.configuration=FILE in CAIRN_JAVA_OPTS says otherwise."
        })
final class MemberCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(
            names = "--hazelcast",
            paramLabel = "FILE",
            description = "hazelcast.yaml to use (default: config/hazelcast.yaml here, else in CAIRN_HOME)")
    Path hazelcast;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        EngineConfig engine = config.load();
        Path hazelcastFile = hazelcast != null ? hazelcast : ConfigOption.defaultFile("hazelcast.yaml");
        if (!Files.isRegularFile(hazelcastFile)) {
            throw new CliException(Cairn.EXIT_INVALID, hazelcastFile + ": no such file");
        }
        // A storage that cannot even be opened (a bad keytab, say) stops the member before it joins,
        // rather than failing the first job it masters.
        StorageSession.open(engine.checkpoint().storage()).close();
        if (System.getProperty("log4j.configuration") == null) {
            Logger.getLogger("dev.cairn").setLevel(Level.INFO); // a member's status lines are for people
        }
        CairnMember member;
        try {
            Config hazelcastConfig = CairnMember.hazelcastConfig(hazelcastFile);
            // Our shutdown hook leaves the cluster cleanly (jobs handed over, partitions migrated);
            // Hazelcast's own would race it.
            hazelcastConfig.setProperty("hazelcast.shutdownhook.enabled", "false");
            // A client may submit the demo; it writes only under this member's own data directory.
            if (System.getProperty(DemoJob.OUTPUT_ROOT) == null) {
                System.setProperty(
                        DemoJob.OUTPUT_ROOT,
                        CairnHome.get().resolve("data").resolve("demo").toString());
            }
            member = CairnMember.start(engine, hazelcastConfig, CliPlugins.loader());
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
        if (member.httpPort() > 0) {
            String at = "http://" + engine.http().host() + ":" + member.httpPort();
            out.printf(
                    "checkpoint page at %s/cairn/ui/, JSON at %s/cairn/jobs, Prometheus metrics at %s/metrics%n",
                    at, at, at);
        }
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.printf("member %s leaving the cluster ...%n", local.getAddress());
            out.flush();
            member.close();
            out.printf("member %s left%n", local.getAddress());
            out.flush();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
