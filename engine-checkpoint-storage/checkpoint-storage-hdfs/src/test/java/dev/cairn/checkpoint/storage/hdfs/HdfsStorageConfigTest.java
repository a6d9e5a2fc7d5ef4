package dev.cairn.checkpoint.storage.hdfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
                parse(Map.of("storage.type", "oss", "oss.bucket", "oss://my-bucket/"))
                        .fileSystem());

        assertEquals(
                List.of(new ConfigProblem("s3.bucket", "must be a bucket name or s3a://name, was \"s3://my-bucket\"")),
                factory.validate(Map.of("storage.type", "s3", "s3.bucket", "s3://my-bucket")));
        assertEquals(
                List.of(new ConfigProblem(
                        "oss.bucket", "must be a bucket name or oss://name, was \"s3a://my-bucket\"")),
                factory.validate(Map.of("storage.type", "oss", "oss.bucket", "s3a://my-bucket")));
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
