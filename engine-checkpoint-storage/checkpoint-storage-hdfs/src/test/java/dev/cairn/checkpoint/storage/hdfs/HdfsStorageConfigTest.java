package dev.cairn.checkpoint.storage.hdfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.ConfigProblem;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HdfsStorageConfigTest {
    private final HdfsStorageFactory factory = new HdfsStorageFactory();

    @TempDir
    Path dir;

    private static HdfsStorageConfig parse(Map<String, String> raw) {
        List<ConfigProblem> problems = new ArrayList<>();
        HdfsStorageConfig config = HdfsStorageConfig.parse(raw, problems).orElse(null);
        assertEquals(List.of(), problems);
        return config;
    }

    @Test
    void seedGeneral_defaultsToTheLocalDisk_andPassesFreeKeysToHadoop() {
        HdfsStorageConfig config = parse(Map.of("namespace", "/seatunnel/checkpoint/", "K1", "V1", "K2", "V2"));

        assertEquals(StorageType.LOCAL, config.type());
        assertEquals(URI.create("file:///"), config.fileSystem());
        assertEquals("/seatunnel/checkpoint/", config.namespace());
        assertEquals(Map.of("K1", "V1", "K2", "V2"), config.hadoopProperties());
    }

    @Test
    void seedHa_passesPrefixedKeysWithoutThePrefix() {
        HdfsStorageConfig config = parse(Map.of(
                "storage.type", "hdfs",
                "fs.defaultFS", "hdfs://usdp-bing",
                "seatunnel.hadoop.dfs.nameservices", "usdp-bing",
                "seatunnel.hadoop.dfs.ha.namenodes.usdp-bing", "nn1,nn2"));

        assertEquals(URI.create("hdfs://usdp-bing"), config.fileSystem());
        assertEquals(
                Map.of("dfs.nameservices", "usdp-bing", "dfs.ha.namenodes.usdp-bing", "nn1,nn2"),
                config.hadoopProperties());
        Configuration conf = HdfsStorageFactory.hadoopConfiguration(config);
        assertEquals("nn1,nn2", conf.get("dfs.ha.namenodes.usdp-bing"));
        assertEquals("hdfs://usdp-bing", conf.get("fs.defaultFS"));
    }

    @Test
    void namespace_withOrWithoutTrailingSlash_isOneDirectory() {
        assertEquals("/a/b/", parse(Map.of("namespace", "/a/b")).namespace());
        assertEquals("/a/b/", parse(Map.of("namespace", "/a//b/")).namespace());
        assertEquals(
                "s3a://bkt/a/b/",
                parse(Map.of("storage.type", "s3", "s3.bucket", "bkt", "namespace", "/a/b"))
                        .location());
    }

    /**
     * hdfs_site_path: the file is loaded, above Hadoop's defaults and below the plugin-config keys;
     * fs.defaultFS from plugin-config wins over the file's. (The file lives in a directory whose
     * name has a space and a '#', as a file path may.)
     */
    @Test
    void hdfsSitePath_isLoaded_belowThePluginConfigKeys() throws Exception {
        Path site = Files.createDirectories(dir.resolve("hadoop conf #1")).resolve("hdfs-site.xml");
        Files.writeString(
                site,
                """
                <?xml version="1.0"?>
                <configuration>
                  <property><name>fs.defaultFS</name><value>hdfs://from-the-file</value></property>
                  <property><name>dfs.nameservices</name><value>from-the-file</value></property>
                  <property><name>dfs.replication</name><value>1</value></property>
                  <property><name>dfs.blocksize</name><value>1048576</value></property>
                </configuration>
                """);
        HdfsStorageConfig config = parse(Map.of(
                "storage.type", "hdfs",
                "fs.defaultFS", "hdfs://from-plugin-config",
                "hdfs_site_path", site.toString(),
                "dfs.replication", "2",
                "seatunnel.hadoop.dfs.blocksize", "2097152"));

        Configuration conf = HdfsStorageFactory.hadoopConfiguration(config);

        assertEquals("from-the-file", conf.get("dfs.nameservices"));
        assertEquals("2", conf.get("dfs.replication"));
        assertEquals("2097152", conf.get("dfs.blocksize"));
        assertEquals("hdfs://from-plugin-config", conf.get("fs.defaultFS"));
        assertEquals(
                List.of(new ConfigProblem(
                        "hdfs_site_path", "must name an existing file, was \"" + dir.resolve("none.xml") + "\"")),
                factory.validate(Map.of(
                        "storage.type",
                        "hdfs",
                        "fs.defaultFS",
                        "hdfs://nn:8020",
                        "hdfs_site_path",
                        dir.resolve("none.xml").toString())));
    }

    /**
     * A close asks the namenode again after 25 ms, not Hadoop's 400, with the same patience in all;
     * a value from the plugin-config or a site file wins, and other backends keep Hadoop's.
     */
    @Test
    void hdfs_asksAgainSoonToCompleteAFile_unlessTheUserSaysOtherwise() throws Exception {
        String delay = HdfsStorageFactory.LOCATE_FOLLOWING_BLOCK_DELAY;
        String retries = HdfsStorageFactory.LOCATE_FOLLOWING_BLOCK_RETRIES;
        Map<String, String> hdfs = Map.of("storage.type", "hdfs", "fs.defaultFS", "hdfs://nn:8020");

        Configuration conf = HdfsStorageFactory.hadoopConfiguration(parse(hdfs));
        assertEquals(25, conf.getInt(delay, -1));
        assertEquals(9, conf.getInt(retries, -1));

        // The two go together: either one given keeps Hadoop's other, not a mix nobody asked for.
        Map<String, String> own = new java.util.HashMap<>(hdfs);
        own.put(delay, "400");
        assertEquals(400, HdfsStorageFactory.hadoopConfiguration(parse(own)).getInt(delay, -1));
        assertEquals(5, HdfsStorageFactory.hadoopConfiguration(parse(own)).getInt(retries, -1));
        Map<String, String> prefixed = new java.util.HashMap<>(hdfs);
        prefixed.put("seatunnel.hadoop." + retries, "7");
        assertEquals(7, HdfsStorageFactory.hadoopConfiguration(parse(prefixed)).getInt(retries, -1));
        assertEquals(
                400, HdfsStorageFactory.hadoopConfiguration(parse(prefixed)).getInt(delay, -1));

        Path site = dir.resolve("hdfs-site.xml");
        Files.writeString(
                site,
                "<configuration><property><name>" + retries + "</name><value>3</value></property></configuration>");
        Map<String, String> fromFile = new java.util.HashMap<>(hdfs);
        fromFile.put("hdfs_site_path", site.toString());
        assertEquals(3, HdfsStorageFactory.hadoopConfiguration(parse(fromFile)).getInt(retries, -1));
        assertEquals(
                400, HdfsStorageFactory.hadoopConfiguration(parse(fromFile)).getInt(delay, -1));

        Configuration local = HdfsStorageFactory.hadoopConfiguration(parse(Map.of()));
        assertEquals(400, local.getInt(delay, 400), "local disk: Hadoop's own (or unset)");
    }

    @Test
    void localDisk_usesTheSyncingRawFileSystem_noChecksumSidecars() {
        Configuration conf = HdfsStorageFactory.hadoopConfiguration(parse(Map.of()));
        assertEquals(LocalDiskFileSystem.class.getName(), conf.get("fs.file.impl"));
    }

    @Test
    void buckets_acceptNameOrOwnScheme_only() {
        assertEquals(
                URI.create("s3a://my-bucket/"),
                parse(Map.of("storage.type", "s3", "s3.bucket", "my-bucket")).fileSystem());
        assertEquals(
                URI.create("s3a://my-bucket/"),
                parse(Map.of("storage.type", "s3", "s3.bucket", "s3a://my-bucket"))
                        .fileSystem());
        assertEquals(
                URI.create("oss://my-bucket/"),
                parse(Map.of("storage.type", "oss", "oss.bucket", "oss://my-bucket/", "fs.oss.endpoint", "e"))
                        .fileSystem());

        assertEquals(
                List.of(new ConfigProblem("s3.bucket", "must be a bucket name or s3a://name, was \"s3://my-bucket\"")),
                factory.validate(Map.of("storage.type", "s3", "s3.bucket", "s3://my-bucket")));
        assertEquals(
                List.of(new ConfigProblem(
                        "oss.bucket", "must be a bucket name or oss://name, was \"s3a://my-bucket\"")),
                factory.validate(
                        Map.of("storage.type", "oss", "oss.bucket", "s3a://my-bucket", "fs.oss.endpoint", "e")));
    }

    @Test
    void s3BucketNames_followS3sNamingRules_andTheMessageSaysThem() {
        for (String name : List.of(
                "my-bucket", "my.bucket.name", "abc", "a1-2.b", "a".repeat(63), "1.2.3", "192.168.5.4a", "a-.b")) {
            assertEquals(
                    URI.create("s3a://" + name + "/"),
                    parse(Map.of("storage.type", "s3", "s3.bucket", name)).fileSystem(),
                    name);
        }
        for (String name : List.of(
                "ab",
                "a".repeat(64),
                "My-Bucket",
                "my_bucket",
                "-bucket",
                "bucket-",
                ".bucket",
                "bucket.",
                "my..bucket",
                "192.168.5.4",
                "10.0.0.1",
                "a b")) {
            assertEquals(
                    List.of(new ConfigProblem(
                            "s3.bucket",
                            "must be a bucket name (3 to 63 lower-case letters, digits, '.' and '-', starting and"
                                    + " ending with a letter or digit, without '..', not an IP address), optionally"
                                    + " as s3a://name, was \"" + name + "\"")),
                    factory.validate(Map.of("storage.type", "s3", "s3.bucket", name)),
                    name);
        }
        assertEquals(
                1,
                factory.validate(Map.of("storage.type", "s3", "s3.bucket", "s3a://my..bucket"))
                        .size());
    }

    @Test
    void ossBucketNames_followOssNamingRules_andTheMessageSaysThem() {
        for (String name : List.of("my-bucket", "abc", "a1-2", "a".repeat(63))) {
            assertEquals(
                    URI.create("oss://" + name + "/"),
                    parse(Map.of("storage.type", "oss", "oss.bucket", name, "fs.oss.endpoint", "e"))
                            .fileSystem(),
                    name);
        }
        for (String name : List.of("ab", "a".repeat(64), "my.bucket", "My-Bucket", "my_bucket", "-ab", "ab-")) {
            assertEquals(
                    List.of(new ConfigProblem(
                            "oss.bucket",
                            "must be a bucket name (3 to 63 lower-case letters, digits and '-', starting and ending"
                                    + " with a letter or digit), optionally as oss://name, was \"" + name + "\"")),
                    factory.validate(Map.of("storage.type", "oss", "oss.bucket", name, "fs.oss.endpoint", "e")),
                    name);
        }
    }

    @Test
    void ossEndpoint_isRequired_asTheClientCannotStartWithoutIt() {
        assertEquals(
                List.of(new ConfigProblem(
                        "fs.oss.endpoint",
                        "is required for storage.type oss, e.g. oss-cn-hangzhou.aliyuncs.com (the bucket's region)")),
                factory.validate(Map.of("storage.type", "oss", "oss.bucket", "my-bucket")));
        assertEquals(
                List.of(new ConfigProblem(
                        "fs.oss.endpoint", "must name the OSS endpoint, e.g. oss-cn-hangzhou.aliyuncs.com, was \" \"")),
                factory.validate(Map.of("storage.type", "oss", "oss.bucket", "my-bucket", "fs.oss.endpoint", " ")));
        assertEquals(
                List.of(),
                factory.validate(Map.of(
                        "storage.type",
                        "oss",
                        "oss.bucket",
                        "my-bucket",
                        "seatunnel.hadoop.fs.oss.endpoint",
                        "oss-cn-hangzhou.aliyuncs.com")));
        // only oss needs it
        assertEquals(List.of(), factory.validate(Map.of("storage.type", "s3", "s3.bucket", "my-bucket")));
    }

    @Test
    void anUnknownStorageType_isTheOnlyProblem_notTheKeysOfAGuessedBackend() {
        assertEquals(
                List.of("storage.type: must be one of local, hdfs, s3, oss; did you mean 'hdfs'?, was \"hdsf\""),
                factory
                        .validate(Map.of(
                                "storage.type", "hdsf",
                                "fs.defaultFS", "hdfs://nn:8020",
                                "namespace", "relative",
                                "s3.bucket", "bkt"))
                        .stream()
                        .map(ConfigProblem::toString)
                        .toList());
        // key typos do not depend on the backend: still reported
        assertEquals(
                2,
                factory.validate(Map.of("storage.type", "${T}", "namespaces", "/x"))
                        .size());
    }

    @Test
    void aStorageThatCannotBeOpened_failsWithAStorageException_namingIt_withoutSecrets() {
        Map<String, String> config = Map.of(
                "storage.type", "oss",
                "oss.bucket", "oss://my-bucket",
                "namespace", "/cairn/checkpoint/",
                "fs.oss.endpoint", "127.0.0.1:1",
                "fs.oss.accessKeySecret", "hunter2-secret",
                "fs.oss.connection.maximum", "many");
        assertEquals(List.of(), factory.validate(config));

        CheckpointStorageException e = assertThrows(CheckpointStorageException.class, () -> factory.create(config));

        assertEquals(
                "cannot open checkpoint storage hdfs plugin (storage.type oss) at oss://my-bucket/cairn/checkpoint:"
                        + " cannot open file system oss://my-bucket/: NumberFormatException: For input string: \"many\"",
                e.getMessage());
    }

    @Test
    void secretValues_areMaskedInMessagesFromClients() {
        assertEquals(
                "denied for key AKIA-1 with secret ******, user hunter",
                HdfsStorageFactory.withoutSecrets(
                        "denied for key AKIA-1 with secret hunter2-secret, user hunter",
                        Map.of("fs.s3a.secret.key", "hunter2-secret", "fs.s3a.endpoint", "AKIA-1", "user", "hunter")));
    }

    @Test
    void everyProblem_isReportedAtOnce() {
        Map<String, String> raw = new HashMap<>();
        raw.put("storage.type", "hdfs");
        raw.put("namespace", "relative/path");
        raw.put("kerberosPrincipl", "me@REALM");
        raw.put("s3.bucket", "b");
        raw.put("kerberosKeytab", dir.resolve("missing.keytab").toString());

        List<ConfigProblem> problems = factory.validate(raw);

        assertEquals(
                List.of(
                        "kerberosPrincipl: unknown key; did you mean 'kerberosPrincipal'?",
                        "namespace: must be an absolute path (start with /), was \"relative/path\"",
                        "fs.defaultFS: is required for storage.type hdfs, e.g. hdfs://namenode:8020 or hdfs://nameservice",
                        "s3.bucket: is only used with storage.type s3, not hdfs",
                        "kerberosPrincipal: is required with kerberosKeytab"),
                problems.stream().map(ConfigProblem::toString).toList());
    }

    @Test
    void unknownStorageType_suggests() {
        assertEquals(
                List.of(new ConfigProblem(
                        "storage.type", "must be one of local, hdfs, s3, oss; did you mean 'hdfs'?, was \"hdsf\"")),
                factory.validate(Map.of("storage.type", "hdsf")));
    }

    @Test
    void kerberos_needsBothKeys_anExistingKeytab_andOneKeytabName() throws Exception {
        Path keytab = Files.write(dir.resolve("a.keytab"), new byte[] {5});
        Map<String, String> base = Map.of("storage.type", "hdfs", "fs.defaultFS", "hdfs://nn:8020");

        Map<String, String> ok = new HashMap<>(base);
        ok.put("kerberosPrincipal", "client@EXAMPLE.COM");
        ok.put("kerberosKeytabFilePath", keytab.toString());
        assertEquals("client@EXAMPLE.COM", parse(ok).kerberos().orElseThrow().principal());

        Map<String, String> noPrincipal = new HashMap<>(base);
        noPrincipal.put("kerberosKeytab", keytab.toString());
        assertEquals(
                List.of(new ConfigProblem("kerberosPrincipal", "is required with kerberosKeytab")),
                factory.validate(noPrincipal));

        Map<String, String> twoKeytabs = new HashMap<>(ok);
        twoKeytabs.put("kerberosKeytab", dir.resolve("b.keytab").toString());
        assertEquals(1, factory.validate(twoKeytabs).size());
    }

    @Test
    void secretValues_neverAppearInProblems() {
        List<ConfigProblem> problems = factory.validate(Map.of(
                "storage.type", "s3",
                "s3.bucket", "Not_A_Bucket",
                "fs.s3a.secret.key", "hunter2-secret",
                "fs.s3a.secret.kye", "hunter3-secret"));

        String all = problems.toString();
        assertFalse(all.contains("hunter2-secret"), all);
        assertFalse(all.contains("hunter3-secret"), all);
        assertTrue(all.contains("fs.s3a.secret.kye: unknown key; did you mean 'fs.s3a.secret.key'?"), all);
    }

    @Test
    void seedConfigsPluginSections_validate() {
        List<Map<String, String>> seeds = List.of(
                Map.of("namespace", "/seatunnel/checkpoint/", "K1", "V1", "K2", "V2"),
                Map.of(
                        "storage.type", "oss",
                        "oss.bucket", "your-bucket",
                        "fs.oss.accessKeyId", "your-access-key",
                        "fs.oss.accessKeySecret", "your-secret-key",
                        "fs.oss.endpoint", "endpoint address",
                        "fs.oss.credentials.provider", "org.apache.hadoop.fs.aliyun.oss.AliyunCredentialsProvider"),
                Map.of(
                        "storage.type", "s3",
                        "s3.bucket", "your-bucket",
                        "fs.s3a.access.key", "your-access-key",
                        "fs.s3a.secret.key", "your-secret-key",
                        "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider"),
                Map.of(
                        "storage.type",
                        "s3",
                        "s3.bucket",
                        "your-bucket",
                        "fs.s3a.endpoint",
                        "your-endpoint",
                        "fs.s3a.aws.credentials.provider",
                        "org.apache.hadoop.fs.s3a.InstanceProfileCredentialsProvider"),
                Map.of("storage.type", "hdfs", "fs.defaultFS", "file:///"));
        for (Map<String, String> seed : seeds) {
            assertEquals(List.of(), factory.validate(seed), seed.toString());
        }
    }

    @Test
    void create_refusesAnInvalidConfig_withoutTouchingAnyBackend() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> factory.create(Map.of("storage.type", "hdfs")));
        assertTrue(e.getMessage().contains("fs.defaultFS"), e.getMessage());
    }
}
