package dev.cairn.checkpoint.storage.hdfs;

import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.api.ConfigProblem;
import dev.cairn.checkpoint.storage.api.SecretKeys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.HdfsConfiguration;

/**
 * Factory id {@code hdfs}: checkpoints through the Hadoop FileSystem API on the local disk, HDFS
 * (with HA and Kerberos), S3 and Aliyun OSS. The keys of {@code plugin-config} are described in
 * {@link HdfsStorageConfig}.
 *
 * <p>Every storage owns its {@link Configuration} and {@link org.apache.hadoop.fs.FileSystem}: no
 * shared cache, no static state, except the one Hadoop imposes for Kerberos ({@code
 * UserGroupInformation.setConfiguration}, which turns security on for the whole JVM).
 */
public final class HdfsStorageFactory implements CheckpointStorageFactory {
    public static final String IDENTIFIER = "hdfs";

    /** Seed-document provider names that s3a 3.4 no longer has, mapped to their successors. */
    static final String PROVIDER_MAPPING = "org.apache.hadoop.fs.s3a.InstanceProfileCredentialsProvider"
            + "=org.apache.hadoop.fs.s3a.auth.IAMInstanceCredentialsProvider";

    /**
     * The Aliyun OSS SDK parses error responses with the JAXB RI that hadoop-common brings (2.2.3),
     * whose optimised accessors inject classes with a reflective {@code defineClass} that Java 17
     * forbids: every OSS error would end in an {@link ExceptionInInitializerError}. This switch of
     * the JAXB RI makes it use plain reflection instead; it affects nothing else.
     */
    private static final String JAXB_NO_OPTIMIZE = "com.sun.xml.bind.v2.bytecode.ClassTailor.noOptimize";

    private static final String OSS_PROVIDER = "fs.oss.credentials.provider";
    static final String LOCATE_FOLLOWING_BLOCK_DELAY = "dfs.client.block.write.locateFollowingBlock.initial.delay.ms";
    static final String LOCATE_FOLLOWING_BLOCK_RETRIES = "dfs.client.block.write.locateFollowingBlock.retries";
    private static final String ALIYUN_DEFAULT_PROVIDER = "org.apache.hadoop.fs.aliyun.oss.AliyunCredentialsProvider";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public List<ConfigProblem> validate(Map<String, String> pluginConfig) {
        return HdfsStorageConfig.problems(pluginConfig);
    }

    @Override
    public CheckpointStorage create(Map<String, String> pluginConfig) throws CheckpointStorageException {
        List<ConfigProblem> problems = new ArrayList<>();
        HdfsStorageConfig config = HdfsStorageConfig.parse(pluginConfig, problems)
                .orElseThrow(() -> new IllegalArgumentException("invalid hdfs plugin-config: " + problems));
        Path root = new Path(config.location());
        String description = "hdfs plugin (storage.type " + config.type().id() + ") at " + root
                + config.kerberos().map(k -> " as " + k.principal()).orElse("");
        FileSystemAccess access;
        try {
            access = FileSystemAccess.open(
                    config.fileSystem(),
                    hadoopConfiguration(config),
                    config.kerberos().orElse(null));
        } catch (CheckpointStorageException | RuntimeException e) {
            // Name the storage (never its credentials) and leave out any secret value that a
            // client's own message might echo.
            String cause = e instanceof CheckpointStorageException
                    ? e.getMessage()
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
            throw new CheckpointStorageException(
                    "cannot open checkpoint storage " + description + ": " + withoutSecrets(cause, pluginConfig), e);
        }
        return new HdfsCheckpointStorage(access, root, config.type().renames, description);
    }

    /**
     * {@code message} with the value of every secret key of {@code pluginConfig} masked. (Values
     * under four characters are left alone: masking them would garble the message, not hide a
     * secret worth the name.)
     */
    static String withoutSecrets(String message, Map<String, String> pluginConfig) {
        String result = String.valueOf(message);
        for (Map.Entry<String, String> e : pluginConfig.entrySet()) {
            String value = e.getValue();
            if (SecretKeys.isSecret(e.getKey())
                    && value != null
                    && value.strip().length() >= 4) {
                result = result.replace(value, SecretKeys.MASK);
            }
        }
        return result;
    }

    /** A Configuration of this storage's own, from Hadoop's defaults and the plugin-config. */
    static Configuration hadoopConfiguration(HdfsStorageConfig config) {
        Configuration conf = new Configuration(); // core-default.xml, and core-site.xml if on the class path
        conf.setClassLoader(HdfsStorageFactory.class.getClassLoader());
        config.hdfsSitePath()
                .ifPresent(site ->
                        conf.addResource(new Path(java.nio.file.Path.of(site).toUri())));
        config.hadoopProperties().forEach(conf::set);
        conf.set("fs.defaultFS", config.fileSystem().toString());
        if ("file".equals(config.fileSystem().getScheme())) {
            conf.set("fs.file.impl", LocalDiskFileSystem.class.getName());
        }
        switch (config.type()) {
            case S3 -> {
                // The bytes are in memory already: buffer upload blocks there, not in hadoop.tmp.dir.
                setIfUnset(conf, "fs.s3a.fast.upload.buffer", "array");
                String mapping = conf.getTrimmed("fs.s3a.aws.credentials.provider.mapping", "");
                conf.set(
                        "fs.s3a.aws.credentials.provider.mapping",
                        mapping.isEmpty() ? PROVIDER_MAPPING : mapping + "," + PROVIDER_MAPPING);
            }
            case OSS -> {
                if (System.getProperty(JAXB_NO_OPTIMIZE) == null) {
                    System.setProperty(JAXB_NO_OPTIMIZE, "true");
                }
                setIfUnset(conf, "fs.oss.impl", "org.apache.hadoop.fs.aliyun.oss.AliyunOSSFileSystem");
                // hadoop-aliyun 3.4 cannot instantiate its own default provider when it is named
                // (it has only a Configuration constructor), yet the seed document names it. Named
                // or not, it is the provider used when the key is unset.
                if (ALIYUN_DEFAULT_PROVIDER.equals(conf.getTrimmed(OSS_PROVIDER))) {
                    conf.unset(OSS_PROVIDER);
                }
            }
            case HDFS -> {
                // Closing a file asks the namenode to complete it (and a new block, to place it);
                // while the datanode's report of the last block is still on its way, the client
                // sleeps and asks again: 400 ms first by default, doubling, five times (12.4 s in
                // all). A checkpoint store lost that race often and waited 400 ms for a report a few
                // ms away. Ask first after 25 ms, doubling nine times: 12.8 s in all, the same
                // patience. The two go together: a user who sets either keeps Hadoop's other one.
                HdfsConfiguration.init(); // hdfs-site.xml on the class path first: it may set them
                if (!given(conf, LOCATE_FOLLOWING_BLOCK_DELAY) && !given(conf, LOCATE_FOLLOWING_BLOCK_RETRIES)) {
                    conf.set(LOCATE_FOLLOWING_BLOCK_DELAY, "25");
                    conf.set(LOCATE_FOLLOWING_BLOCK_RETRIES, "9");
                }
            }
            default -> {}
        }
        return conf;
    }

    /** Whether a site file or the plugin-config gave {@code key} (Hadoop's own defaults do not count). */
    private static boolean given(Configuration conf, String key) {
        String[] sources = conf.getPropertySources(key);
        return sources != null
                && !Arrays.stream(sources)
                        .allMatch(source -> source.equals("core-default.xml") || source.equals("hdfs-default.xml"));
    }

    private static void setIfUnset(Configuration conf, String key, String value) {
        if (conf.get(key) == null) {
            conf.set(key, value);
        }
    }
}
