package dev.cairn.checkpoint.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.config.CheckpointConfig;
import dev.cairn.checkpoint.api.config.ConfigCatalogue;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.api.config.QueueType;
import dev.cairn.checkpoint.api.config.RestartPolicy;
import dev.cairn.checkpoint.api.config.SlotServiceConfig;
import dev.cairn.checkpoint.api.config.StorageConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final Map<String, String> ENV = Map.of("S3_SECRET", "s3cr3t-from-env", "CKPT_ROOT", "/data");

    private final ConfigLoader loader = new ConfigLoader(ENV::get, getClass().getClassLoader());

    private EngineConfig parse(String yaml) throws ConfigException {
        return loader.parse(yaml, "test.yaml");
    }

    private List<String> problems(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).problems();
    }

    @Test
    void emptyDocument_isAllDefaults() throws Exception {
        assertEquals(ConfigCatalogue.defaults(), parse(""));
        assertEquals(ConfigCatalogue.defaults(), parse("seatunnel:\n  engine:\n"));
    }

    @Test
    void everyKeyOfTheEngineTree_isRead() throws Exception {
        EngineConfig config = parse(
                """
                seatunnel:
                  engine:
                    backup-count: 2
                    queue-type: disruptor
                    print-execution-info-interval: 15
                    slot-service:
                      dynamic-slot: false
                      slot-num: 8
                    checkpoint:
                      interval: 6000
                      timeout: 7000
                      min-pause: 500
                      max-concurrent: 2
                      tolerable-failures: 3
                      storage:
                        type: localfile
                        max-retained: 5
                        plugin-config:
                          namespace: ${CKPT_ROOT}/checkpoint/
                """);

        assertEquals(2, config.backupCount());
        assertEquals(QueueType.DISRUPTOR, config.queueType());
        assertEquals(Duration.ofSeconds(15), config.printExecutionInfoInterval());
        assertEquals(new SlotServiceConfig(false, 8), config.slotService());
        CheckpointConfig checkpoint = config.checkpoint();
        assertEquals(Duration.ofMillis(6000), checkpoint.interval());
        assertEquals(Duration.ofMillis(7000), checkpoint.timeout());
        assertEquals(Duration.ofMillis(500), checkpoint.minPause());
        assertEquals(2, checkpoint.maxConcurrent());
        assertEquals(3, checkpoint.tolerableFailures());
        assertEquals(new StorageConfig("localfile", 5, Map.of("namespace", "/data/checkpoint/")), checkpoint.storage());
    }

    @Test
    void restartPolicy_isRead_andItsProblemsNamed() throws Exception {
        assertEquals(
                RestartPolicy.fixedDelay(3, Duration.ofSeconds(10)),
                parse(
                                """
                        seatunnel:
                          engine:
                            restart:
                              strategy: fixed-delay
                              max-attempts: 3
                              delay: 10000
                        """)
                        .restart());
        assertEquals(
                RestartPolicy.exponentialDelay(5, Duration.ofMillis(200), Duration.ofSeconds(5)),
                parse("seatunnel:\n  engine:\n    restart:\n      max-attempts: 5\n      delay: 200\n"
                                + "      max-delay: 5000\n")
                        .restart());
        assertEquals(
                List.of(
                        "seatunnel.engine.restart.strategy: must be one of fixed-delay, exponential-delay, was"
                                + " \"fixed\" (line 4)",
                        "seatunnel.engine.restart.max-attempts: must be zero or a positive whole number, was -1 (line 5)",
                        "seatunnel.engine.restart.retries: unknown key (line 6)"),
                problems("seatunnel:\n  engine:\n    restart:\n      strategy: fixed\n      max-attempts: -1\n"
                        + "      retries: 3\n"));
        assertEquals(
                List.of("seatunnel.engine.restart.max-delay: must be at least delay (2000), was 1000 (line 5)"),
                problems("seatunnel:\n  engine:\n    restart:\n      delay: 2000\n      max-delay: 1000\n"));
    }

    @Test
    void badValue_isReportedWithPathMessageValueAndLine() {
        assertEquals(
                List.of(
                        "seatunnel.engine.checkpoint.timeout: must be a positive number of milliseconds, was \"soon\" (line 4)"),
                problems("seatunnel:\n  engine:\n    checkpoint:\n      timeout: soon\n"));
        assertEquals(
                List.of(
                        "seatunnel.engine.checkpoint.interval: must be a positive number of milliseconds, was -5 (line 4)"),
                problems("seatunnel:\n  engine:\n    checkpoint:\n      interval: -5\n"));
    }

    @Test
    void everyProblem_isReportedAtOnce() {
        List<String> problems = problems(
                """
                seatunnel:
                  engine:
                    backup-count: 7
                    queue-type: linkedlist
                    slot-service:
                      dynamic-slot: maybe
                    checkpoint:
                      timout: 5000
                      max-concurrent: 0
                      storage:
                        type: hdfs
                        max-retained: 0
                        plugin-config:
                          storage.type: hdfs
                          namespce: /x/
                  enigne: {}
                """);

        assertEquals(
                List.of(
                        "seatunnel.engine.backup-count: must be a whole number from 0 to 6, was 7 (line 3)",
                        "seatunnel.engine.queue-type: must be one of blockingqueue, disruptor, was \"linkedlist\" (line 4)",
                        "seatunnel.engine.slot-service.dynamic-slot: must be true or false, was \"maybe\" (line 6)",
                        "seatunnel.engine.checkpoint.max-concurrent: must be a whole number from 1 to 1000, was 0 (line 9)",
                        "seatunnel.engine.checkpoint.storage.max-retained: must be a whole number from 1 to 10000, was 0 (line 12)",
                        "seatunnel.engine.checkpoint.storage.plugin-config.namespce: unknown key; did you mean 'namespace'? (line 15)",
                        "seatunnel.engine.checkpoint.storage.plugin-config.fs.defaultFS: is required for storage.type hdfs, e.g. hdfs://namenode:8020 or hdfs://nameservice (line 13)",
                        "seatunnel.engine.checkpoint.timout: unknown key; did you mean 'timeout'? (line 8)",
                        "seatunnel.enigne: unknown key; did you mean 'engine'? (line 16)"),
                problems);
    }

    @Test
    void unknownStorageType_listsWhatIsAvailable() {
        assertEquals(
                List.of(
                        "seatunnel.engine.checkpoint.storage.type: no checkpoint storage 'hdfz'; available: hdfs, localfile;"
                                + " did you mean 'hdfs'? (line 5)"),
                problems("seatunnel:\n  engine:\n    checkpoint:\n      storage:\n        type: hdfz\n"));
    }

    @Test
    void yamlSyntaxError_namesLineAndColumn() {
        List<String> problems = problems("seatunnel:\n  engine:\n    backup-count: [1, 2\n    queue-type: x\n");
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).startsWith("test.yaml: YAML syntax error at line 4, column 15:"), problems.get(0));
    }

    @Test
    void duplicateKeys_areAnError() {
        List<String> problems = problems("seatunnel:\n  engine:\n    backup-count: 1\n    backup-count: 2\n");
        assertEquals(List.of("seatunnel.engine.backup-count: is given twice (line 4)"), problems);
    }

    @Test
    void environmentReferences_resolve_andAnUnsetOneIsNamed() throws Exception {
        String yaml =
                """
                seatunnel:
                  engine:
                    checkpoint:
                      storage:
                        plugin-config:
                          storage.type: s3
                          s3.bucket: bkt
                          fs.s3a.secret.key: ${S3_SECRET}
                          fs.s3a.access.key: ${S3_ACCESS}
                """;
        assertEquals(
                List.of("seatunnel.engine.checkpoint.storage.plugin-config.fs.s3a.access.key: environment variable"
                        + " S3_ACCESS is not set (line 9)"),
                problems(yaml));

        EngineConfig config = parse(yaml.replace("${S3_ACCESS}", "AKIA-plain"));
        assertEquals(
                "s3cr3t-from-env", config.checkpoint().storage().pluginConfig().get("fs.s3a.secret.key"));
    }

    /**
     * A plugin-config value that cannot be read is one problem, not two: the plugin sees the key
     * present (so no "is required" follows) and what it says about the key itself is left out.
     * Problems elsewhere are still all reported.
     */
    @Test
    void anUnreadablePluginValue_isOneProblem_notAlsoAMissingKey() {
        String head = "seatunnel:\n  engine:\n    checkpoint:\n      storage:\n        plugin-config:\n";
        String path = "seatunnel.engine.checkpoint.storage.plugin-config.";

        assertEquals(
                List.of(path + "kerberosKeytab: environment variable CAIRN_KEYTAB is not set (line 9)"),
                problems(head
                        + "          storage.type: hdfs\n"
                        + "          fs.defaultFS: hdfs://nn:8020\n"
                        + "          kerberosPrincipal: client@EXAMPLE.COM\n"
                        + "          kerberosKeytab: ${CAIRN_KEYTAB}\n"));
        assertEquals(
                List.of(path + "fs.defaultFS: environment variable NAMENODE is not set (line 7)"),
                problems(
                        head + "          storage.type: hdfs\n" + "          fs.defaultFS: hdfs://${NAMENODE}:8020\n"));
        assertEquals(
                List.of(path + "storage.type: environment variable BACKEND is not set (line 6)"),
                problems(head
                        + "          storage.type: ${BACKEND}\n"
                        + "          s3.bucket: my-bucket\n"
                        + "          namespace: /cairn/\n"));
        assertEquals(
                List.of(path + "kerberosKeytab: has no value (line 9)"),
                problems(head
                        + "          storage.type: hdfs\n"
                        + "          fs.defaultFS: hdfs://nn:8020\n"
                        + "          kerberosPrincipal: client@EXAMPLE.COM\n"
                        + "          kerberosKeytab:\n"));
        assertEquals(
                List.of(
                        path + "oss.bucket: must be a plain value, not a list or a mapping (line 7)",
                        path + "fs.oss.endpoint: environment variable OSS_ENDPOINT is not set (line 8)",
                        path + "fs.oss.accessKeyId: environment variable OSS_ID is not set (line 9)",
                        path + "fs.oss.acesKeyId: unknown key; did you mean 'fs.oss.accessKeyId'? (line 11)",
                        path + "namespace: must be an absolute path (start with /), was \"cairn\" (line 10)"),
                problems(head
                        + "          storage.type: oss\n"
                        + "          oss.bucket: [a, b]\n"
                        + "          fs.oss.endpoint: ${OSS_ENDPOINT}\n"
                        + "          fs.oss.accessKeyId: ${OSS_ID}\n"
                        + "          namespace: cairn\n"
                        + "          fs.oss.acesKeyId: x\n"));
    }

    @Test
    void secrets_neverShowInToStringOrProblems() throws Exception {
        EngineConfig config = parse(
                """
                seatunnel:
                  engine:
                    checkpoint:
                      storage:
                        plugin-config:
                          storage.type: oss
                          oss.bucket: bkt
                          fs.oss.endpoint: oss-cn-hangzhou.aliyuncs.com
                          fs.oss.accessKeyId: id-123456
                          fs.oss.accessKeySecret: ${S3_SECRET}
                """);
        assertFalse(config.toString().contains("s3cr3t-from-env"), config.toString());
        assertFalse(config.toString().contains("id-123456"), config.toString());
        assertTrue(config.toString().contains("fs.oss.accessKeySecret=******"), config.toString());

        List<String> problems =
                problems("seatunnel:\n  engine:\n    checkpoint:\n      storage:\n        plugin-config:\n"
                        + "          storage.type: s3\n          s3.bucket: NOT a bucket\n"
                        + "          fs.s3a.secret.key: ${S3_SECRET}\n          fs.s3a.secret.keys: ${S3_SECRET}\n");
        assertFalse(problems.toString().contains("s3cr3t-from-env"), problems.toString());
    }

    @Test
    void yamlTags_neverInstantiateAnything() {
        List<String> global =
                problems("seatunnel:\n  engine:\n    queue-type: !!java.net.URL [\"http://example.com\"]\n");
        assertEquals(1, global.size(), global.toString());
        assertTrue(global.get(0).contains("Global tag is not allowed"), global.toString());

        assertEquals(
                List.of("seatunnel.engine.checkpoint.storage.type: must not carry the YAML tag !custom (line 5)"),
                problems("seatunnel:\n  engine:\n    checkpoint:\n      storage:\n        type: !custom hdfs\n"));
    }

    @Test
    void aliasBomb_isRefusedQuickly() {
        StringBuilder yaml = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'z'; c++) {
            char p = (char) (c - 1);
            yaml.append(c)
                    .append(": &")
                    .append(c)
                    .append(" [*")
                    .append(p)
                    .append(", *")
                    .append(p)
                    .append(", *")
                    .append(p)
                    .append(", *")
                    .append(p)
                    .append("]\n");
        }
        List<String> problems = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> problems(yaml.toString()));
        assertEquals(1, problems.size(), problems.toString());
    }

    @Test
    void documentThatIsNotAMapping_isAnError() {
        assertEquals(
                List.of("(document): must be a mapping with the key 'seatunnel' (line 1)"), problems("- a\n- b\n"));
        assertEquals(
                List.of("seatunnel: must be a mapping of keys, was \"engine\" (line 1)"),
                problems("seatunnel: engine\n"));
    }

    @Test
    void missingFile_saysSo(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(dir.resolve("nope.yaml")));
        assertEquals(List.of(dir.resolve("nope.yaml") + ": no such file"), e.problems());
    }

    @Test
    void seedConfigs_allLoad_withTheirValues() throws Exception {
        Path seeds = Path.of(
                        getClass().getResource("/seed-configs/01-general.yaml").toURI())
                .getParent();
        for (String name : List.of(
                "01-general.yaml",
                "02-oss.yaml",
                "03-s3-simple.yaml",
                "04-s3-instance-profile.yaml",
                "06-hdfs-ha.yaml",
                "07-localfile-via-hdfs.yaml",
                "08-tested-locally.yaml")) {
            loader.load(seeds.resolve(name));
        }
        EngineConfig oss = loader.load(seeds.resolve("02-oss.yaml"));
        assertEquals(Duration.ofMillis(6000), oss.checkpoint().interval());
        assertEquals(Duration.ofMillis(7000), oss.checkpoint().timeout());
        assertEquals("hdfs", oss.checkpoint().storage().type());
        assertEquals("oss", oss.checkpoint().storage().pluginConfig().get("storage.type"));
        EngineConfig local = loader.load(seeds.resolve("08-tested-locally.yaml"));
        assertEquals("localfile", local.checkpoint().storage().type());
        assertEquals(Duration.ofMillis(300_000), local.checkpoint().interval());
        assertEquals(QueueType.BLOCKINGQUEUE, local.queueType());
        assertEquals(
                "C:\\ProgramData\\seatunnel\\checkpoint\\",
                local.checkpoint().storage().pluginConfig().get("namespace"));
    }

    @Test
    void seedKerberosConfig_loadsOnceItsKeytabExists(@TempDir Path dir) throws Exception {
        // The seed names placeholder files; the plugin checks the keytab exists, as it should.
        Path seed = Path.of(
                getClass().getResource("/seed-configs/05-hdfs-kerberos.yaml").toURI());
        List<String> problems =
                assertThrows(ConfigException.class, () -> loader.load(seed)).problems();
        assertEquals(
                List.of("seatunnel.engine.checkpoint.storage.plugin-config.kerberosKeytab: must name an existing file,"
                        + " was \"your-kerberos-keytab\" (line 11)"),
                problems);

        Path keytab = Files.write(dir.resolve("your-kerberos-keytab"), new byte[] {5});
        EngineConfig config =
                loader.parse(Files.readString(seed).replace("your-kerberos-keytab", keytab.toString()), "05");
        assertEquals(
                "your-kerberos-principal",
                config.checkpoint().storage().pluginConfig().get("kerberosPrincipal"));
    }
}
