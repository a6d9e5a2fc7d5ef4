package dev.cairn.checkpoint.storage.hdfs;

import dev.cairn.checkpoint.storage.api.ConfigProblem;
import dev.cairn.checkpoint.storage.api.DidYouMean;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The {@code plugin-config} of the {@code hdfs} plugin, parsed and validated. Keys (SeaTunnel's):
 *
 * <ul>
 *   <li>{@code storage.type}: {@code local} (default) | {@code hdfs} | {@code s3} | {@code oss}.
 *   <li>{@code namespace}: the root directory, default {@value #DEFAULT_NAMESPACE}. With or without
 *       a trailing {@code /} it names the same directory. Absolute for hdfs, s3 and oss; for local
 *       a relative path is resolved against the working directory.
 *   <li>{@code fs.defaultFS}: required for {@code hdfs} (e.g. {@code hdfs://nn:8020} or, for HA,
 *       {@code hdfs://nameservice}); {@code file:///} for {@code local}; not used for s3 and oss.
 *   <li>{@code seatunnel.hadoop.*}: passed to Hadoop without the prefix (HA is configured so).
 *   <li>{@code hdfs_site_path}: a Hadoop site file (e.g. hdfs-site.xml) to load.
 *   <li>{@code kerberosPrincipal} with {@code kerberosKeytab} (or SeaTunnel's {@code
 *       kerberosKeytabFilePath}): log in to a Kerberos-secured HDFS.
 *   <li>{@code s3.bucket}: {@code name} or {@code s3a://name}, for {@code s3}; {@code fs.s3a.*}
 *       configures the client (endpoint, credentials).
 *   <li>{@code oss.bucket}: {@code name} or {@code oss://name}, for {@code oss}; {@code fs.oss.*}
 *       configures the client, and {@code fs.oss.endpoint} is required.
 *   <li>Any other key is a Hadoop property and is passed to Hadoop as given, except a key one or
 *       two edits away from one of the keys above, which is reported as a likely typo.
 * </ul>
 */
record HdfsStorageConfig(
        StorageType type,
        String namespace,
        URI fileSystem,
        Map<String, String> hadoopProperties,
        Optional<String> hdfsSitePath,
        Optional<KerberosIdentity> kerberos) {

    static final String STORAGE_TYPE = "storage.type";
    static final String NAMESPACE = "namespace";
    static final String FS_DEFAULT_FS = "fs.defaultFS";
    static final String HDFS_SITE_PATH = "hdfs_site_path";
    static final String KERBEROS_PRINCIPAL = "kerberosPrincipal";
    static final String KERBEROS_KEYTAB = "kerberosKeytab";
    static final String KERBEROS_KEYTAB_FILE_PATH = "kerberosKeytabFilePath";
    static final String S3_BUCKET = "s3.bucket";
    static final String OSS_BUCKET = "oss.bucket";
    static final String HADOOP_PREFIX = "seatunnel.hadoop.";

    static final String DEFAULT_NAMESPACE = "/seatunnel/checkpoint/";

    /** The plugin's own keys: never passed to Hadoop as they are. */
    private static final Set<String> PLUGIN_KEYS = Set.of(
            STORAGE_TYPE,
            NAMESPACE,
            HDFS_SITE_PATH,
            KERBEROS_PRINCIPAL,
            KERBEROS_KEYTAB,
            KERBEROS_KEYTAB_FILE_PATH,
            S3_BUCKET,
            OSS_BUCKET);

    /** Keys a misspelling is checked against: the plugin's own and the Hadoop keys users type most. */
    private static final Set<String> WELL_KNOWN_KEYS = Set.of(
            STORAGE_TYPE,
            NAMESPACE,
            FS_DEFAULT_FS,
            HDFS_SITE_PATH,
            KERBEROS_PRINCIPAL,
            KERBEROS_KEYTAB,
            KERBEROS_KEYTAB_FILE_PATH,
            S3_BUCKET,
            OSS_BUCKET,
            "fs.s3a.access.key",
            "fs.s3a.secret.key",
            "fs.s3a.endpoint",
            "fs.s3a.aws.credentials.provider",
            "fs.oss.accessKeyId",
            "fs.oss.accessKeySecret",
            "fs.oss.endpoint",
            "fs.oss.credentials.provider");

    static final String FS_OSS_ENDPOINT = "fs.oss.endpoint";

    /**
     * Amazon S3's rules for general purpose buckets: 3 to 63 lower-case letters, digits, '.' and
     * '-', starting and ending with a letter or digit, no two adjacent periods, not formatted as an
     * IPv4 address. (AWS also reserves some prefixes and suffixes, such as {@code xn--} and {@code
     * -s3alias}, for its own features; S3-compatible stores accept them, so they are not checked.)
     */
    private static final BucketRule S3_BUCKET_NAME = new BucketRule(
            Pattern.compile("(?!.*\\.\\.)(?![0-9]{1,3}(\\.[0-9]{1,3}){3}$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"),
            "3 to 63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit,"
                    + " without '..', not an IP address");
    /** Aliyun OSS's rules: 3 to 63 lower-case letters, digits and '-', starting and ending with a letter or digit. */
    private static final BucketRule OSS_BUCKET_NAME = new BucketRule(
            Pattern.compile("[a-z0-9][a-z0-9-]{1,61}[a-z0-9]"),
            "3 to 63 lower-case letters, digits and '-', starting and ending with a letter or digit");

    /** A bucket naming rule, as a pattern and in words. */
    private record BucketRule(Pattern pattern, String words) {}

    HdfsStorageConfig {
        Objects.requireNonNull(type);
        Objects.requireNonNull(namespace);
        Objects.requireNonNull(fileSystem);
        hadoopProperties = Map.copyOf(hadoopProperties);
    }

    /** Where checkpoints live, as a URI string: the file system and the namespace. */
    String location() {
        String base = fileSystem.toString();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + namespace;
    }

    /**
     * Parses and validates {@code raw}; every problem found is added to {@code problems}.
     *
     * @return the configuration, or empty if any problem was found
     */
    static Optional<HdfsStorageConfig> parse(Map<String, String> raw, List<ConfigProblem> problems) {
        int before = problems.size();
        Map<String, String> config = new TreeMap<>(raw);

        StorageType type = StorageType.LOCAL;
        boolean typeKnown = true;
        String typeValue = config.get(STORAGE_TYPE);
        if (typeValue != null) {
            Optional<StorageType> parsed = StorageType.parse(typeValue);
            if (parsed.isPresent()) {
                type = parsed.get();
            } else {
                typeKnown = false;
                problems.add(ConfigProblem.of(
                        STORAGE_TYPE,
                        "must be one of " + StorageType.allIds() + DidYouMean.hint(typeValue, ids()),
                        typeValue));
            }
        }

        Map<String, String> hadoop = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : config.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(HADOOP_PREFIX)) {
                String hadoopKey = key.substring(HADOOP_PREFIX.length());
                if (hadoopKey.isEmpty()) {
                    problems.add(new ConfigProblem(key, "names no Hadoop property after the prefix"));
                } else {
                    hadoop.put(hadoopKey, e.getValue());
                }
            } else if (!PLUGIN_KEYS.contains(key) && !WELL_KNOWN_KEYS.contains(key)) {
                Optional<String> meant = DidYouMean.suggest(key, WELL_KNOWN_KEYS);
                if (meant.isPresent()) {
                    problems.add(ConfigProblem.unknownKey(key, WELL_KNOWN_KEYS));
                } else {
                    hadoop.put(key, e.getValue()); // a Hadoop property, passed through as given
                }
            } else if (!PLUGIN_KEYS.contains(key) && !key.equals(FS_DEFAULT_FS)) {
                hadoop.put(key, e.getValue()); // fs.s3a.*, fs.oss.*: Hadoop's own
            }
        }

        String namespace = DEFAULT_NAMESPACE;
        URI fileSystem = URI.create("file:///");
        // Without a known backend, the checks that depend on it are skipped: checking the keys
        // against a guessed backend would report mere consequences of the storage.type problem.
        if (typeKnown) {
            namespace = namespace(type, config.getOrDefault(NAMESPACE, DEFAULT_NAMESPACE), problems);
            fileSystem = fileSystem(type, config, problems);
            notFor(type, config, problems);
            if (type == StorageType.OSS) {
                ossEndpoint(config, hadoop, problems);
            }
        }
        Optional<String> hdfsSite = existingFile(config, HDFS_SITE_PATH, problems);
        Optional<KerberosIdentity> kerberos = kerberos(config, problems);

        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new HdfsStorageConfig(type, namespace, fileSystem, hadoop, hdfsSite, kerberos));
    }

    private static List<String> ids() {
        return java.util.Arrays.stream(StorageType.values())
                .map(StorageType::id)
                .toList();
    }

    private static String namespace(StorageType type, String value, List<ConfigProblem> problems) {
        if (value.isBlank() || value.indexOf('\0') >= 0) {
            problems.add(ConfigProblem.of(NAMESPACE, "must be a directory path", value));
            return "/";
        }
        if (value.contains("://")) {
            problems.add(ConfigProblem.of(
                    NAMESPACE,
                    "must be a path, not a URI: name the file system with "
                            + (type == StorageType.S3
                                    ? S3_BUCKET
                                    : type == StorageType.OSS ? OSS_BUCKET : FS_DEFAULT_FS),
                    value));
            return "/";
        }
        String path = value;
        if (type == StorageType.LOCAL && !path.startsWith("/")) {
            try {
                path = Path.of(path).toAbsolutePath().toString();
            } catch (InvalidPathException e) {
                problems.add(ConfigProblem.of(NAMESPACE, "is not a valid path (" + e.getReason() + ")", value));
                return "/";
            }
        } else if (!path.startsWith("/")) {
            problems.add(ConfigProblem.of(NAMESPACE, "must be an absolute path (start with /)", value));
            return "/";
        }
        // One directory whether or not it ends with '/': normalise to a trailing separator.
        path = path.replaceAll("/+", "/");
        return path.endsWith("/") ? path : path + "/";
    }

    private static URI fileSystem(StorageType type, Map<String, String> config, List<ConfigProblem> problems) {
        String defaultFs = config.get(FS_DEFAULT_FS);
        switch (type) {
            case LOCAL:
                if (defaultFs != null && !"file".equals(schemeOf(defaultFs))) {
                    problems.add(ConfigProblem.of(
                            FS_DEFAULT_FS,
                            "must be file:/// for storage.type local (use storage.type hdfs for others)",
                            defaultFs));
                }
                return URI.create("file:///");
            case HDFS:
                if (defaultFs == null) {
                    problems.add(ConfigProblem.missing(
                            FS_DEFAULT_FS, "for storage.type hdfs, e.g. hdfs://namenode:8020 or hdfs://nameservice"));
                    return URI.create("file:///");
                }
                String scheme = schemeOf(defaultFs);
                if (scheme == null) {
                    problems.add(
                            ConfigProblem.of(FS_DEFAULT_FS, "must be a URI such as hdfs://namenode:8020", defaultFs));
                    return URI.create("file:///");
                }
                URI uri = URI.create(defaultFs.strip());
                if (!"file".equals(scheme) && uri.getAuthority() == null) {
                    problems.add(ConfigProblem.of(
                            FS_DEFAULT_FS, "must name a host or nameservice, e.g. hdfs://namenode:8020", defaultFs));
                }
                return uri;
            case S3:
                return bucket(config, S3_BUCKET, "s3a", S3_BUCKET_NAME, problems);
            case OSS:
                return bucket(config, OSS_BUCKET, "oss", OSS_BUCKET_NAME, problems);
            default:
                throw new AssertionError(type);
        }
    }

    private static URI bucket(
            Map<String, String> config, String key, String scheme, BucketRule name, List<ConfigProblem> problems) {
        String value = config.get(key);
        String storageType = key.substring(0, key.indexOf('.'));
        if (config.containsKey(FS_DEFAULT_FS)) {
            problems.add(ConfigProblem.of(
                    FS_DEFAULT_FS,
                    "is not used with storage.type " + storageType + "; the bucket is " + key,
                    config.get(FS_DEFAULT_FS)));
        }
        if (value == null) {
            problems.add(ConfigProblem.missing(key, "for storage.type " + storageType + ", e.g. my-bucket"));
            return URI.create(scheme + "://missing-bucket/");
        }
        String bucket = value.strip();
        String prefix = scheme + "://";
        if (bucket.contains("://")) {
            if (!bucket.startsWith(prefix)) {
                problems.add(ConfigProblem.of(key, "must be a bucket name or " + prefix + "name", value));
                return URI.create(prefix + "invalid-bucket/");
            }
            bucket = bucket.substring(prefix.length());
        }
        if (bucket.endsWith("/")) {
            bucket = bucket.substring(0, bucket.length() - 1);
        }
        if (!name.pattern().matcher(bucket).matches()) {
            problems.add(ConfigProblem.of(
                    key, "must be a bucket name (" + name.words() + "), optionally as " + prefix + "name", value));
            return URI.create(prefix + "invalid-bucket/");
        }
        return URI.create(prefix + bucket + "/");
    }

    /**
     * hadoop-aliyun cannot open a file system without {@code fs.oss.endpoint} (it has no default
     * region), so its absence is reported here rather than when the storage is first opened.
     */
    private static void ossEndpoint(
            Map<String, String> config, Map<String, String> hadoop, List<ConfigProblem> problems) {
        String endpoint = hadoop.get(FS_OSS_ENDPOINT);
        if (endpoint == null) {
            problems.add(ConfigProblem.missing(
                    FS_OSS_ENDPOINT, "for storage.type oss, e.g. oss-cn-hangzhou.aliyuncs.com (the bucket's region)"));
        } else if (endpoint.isBlank()) {
            String key = config.containsKey(HADOOP_PREFIX + FS_OSS_ENDPOINT)
                    ? HADOOP_PREFIX + FS_OSS_ENDPOINT
                    : FS_OSS_ENDPOINT;
            problems.add(
                    ConfigProblem.of(key, "must name the OSS endpoint, e.g. oss-cn-hangzhou.aliyuncs.com", endpoint));
        }
    }

    /** Keys that belong to another storage type are mistakes, not silently ignored settings. */
    private static void notFor(StorageType type, Map<String, String> config, List<ConfigProblem> problems) {
        if (type != StorageType.S3 && config.containsKey(S3_BUCKET)) {
            problems.add(new ConfigProblem(S3_BUCKET, "is only used with storage.type s3, not " + type.id()));
        }
        if (type != StorageType.OSS && config.containsKey(OSS_BUCKET)) {
            problems.add(new ConfigProblem(OSS_BUCKET, "is only used with storage.type oss, not " + type.id()));
        }
        if (type != StorageType.HDFS) {
            for (String key : List.of(KERBEROS_PRINCIPAL, KERBEROS_KEYTAB, KERBEROS_KEYTAB_FILE_PATH, HDFS_SITE_PATH)) {
                if (config.containsKey(key)) {
                    problems.add(new ConfigProblem(key, "is only used with storage.type hdfs, not " + type.id()));
                }
            }
        }
    }

    private static Optional<KerberosIdentity> kerberos(Map<String, String> config, List<ConfigProblem> problems) {
        String principal = config.get(KERBEROS_PRINCIPAL);
        String keytab = config.get(KERBEROS_KEYTAB);
        String keytabAlias = config.get(KERBEROS_KEYTAB_FILE_PATH);
        if (keytab != null && keytabAlias != null && !keytab.equals(keytabAlias)) {
            problems.add(new ConfigProblem(
                    KERBEROS_KEYTAB_FILE_PATH, "names another keytab than " + KERBEROS_KEYTAB + "; give one of them"));
            return Optional.empty();
        }
        String keytabKey = keytab != null ? KERBEROS_KEYTAB : KERBEROS_KEYTAB_FILE_PATH;
        keytab = keytab != null ? keytab : keytabAlias;
        if (principal == null && keytab == null) {
            return Optional.empty();
        }
        if (principal == null || principal.isBlank()) {
            problems.add(ConfigProblem.missing(KERBEROS_PRINCIPAL, "with " + keytabKey));
            return Optional.empty();
        }
        if (keytab == null) {
            problems.add(ConfigProblem.missing(KERBEROS_KEYTAB, "with " + KERBEROS_PRINCIPAL));
            return Optional.empty();
        }
        return existingFile(Map.of(keytabKey, keytab), keytabKey, problems)
                .map(file -> new KerberosIdentity(principal.strip(), file));
    }

    private static Optional<String> existingFile(Map<String, String> config, String key, List<ConfigProblem> problems) {
        String value = config.get(key);
        if (value == null) {
            return Optional.empty();
        }
        try {
            Path file = Path.of(value);
            if (!Files.isRegularFile(file)) {
                problems.add(ConfigProblem.of(key, "must name an existing file", value));
                return Optional.empty();
            }
            if (!Files.isReadable(file)) {
                problems.add(ConfigProblem.of(key, "names a file this process cannot read", value));
                return Optional.empty();
            }
            return Optional.of(file.toAbsolutePath().toString());
        } catch (InvalidPathException e) {
            problems.add(ConfigProblem.of(key, "is not a valid path (" + e.getReason() + ")", value));
            return Optional.empty();
        }
    }

    private static String schemeOf(String uri) {
        try {
            return new URI(uri.strip()).getScheme();
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** A Kerberos principal and the keytab file that holds its key. */
    record KerberosIdentity(String principal, String keytab) {}

    /** All problems of a raw config, for {@link HdfsStorageFactory#validate}. */
    static List<ConfigProblem> problems(Map<String, String> raw) {
        List<ConfigProblem> problems = new ArrayList<>();
        parse(raw, problems);
        return problems;
    }
}
