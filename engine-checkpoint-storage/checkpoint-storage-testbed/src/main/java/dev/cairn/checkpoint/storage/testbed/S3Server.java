package dev.cairn.checkpoint.storage.testbed;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3-compatible server (s3proxy) in this JVM, on loopback, with AWS signature checking on.
 * Objects live in memory, or under a directory when one is given (so they outlive a {@link
 * #stop()}/{@link #restart()}).
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "cairn-test-access";
    public static final String SECRET_KEY = "cairn-test-secret-Zx81qv";

    private final BlobStoreContext context;
    private final AuthenticationType authentication;
    private S3Proxy proxy;
    private int port;

    private S3Server(BlobStoreContext context, AuthenticationType authentication) throws Exception {
        this.context = context;
        this.authentication = authentication;
        this.proxy = startProxy(0);
        this.port = proxy.getPort();
    }

    /** An in-memory server that checks AWS v2/v4 signatures against {@link #ACCESS_KEY}/{@link #SECRET_KEY}. */
    public static S3Server start() throws Exception {
        return new S3Server(blobStore("transient", null), AuthenticationType.AWS_V2_OR_V4);
    }

    /** A server whose objects are kept under {@code dir}. */
    public static S3Server start(Path dir) throws Exception {
        return new S3Server(blobStore("filesystem", dir), AuthenticationType.AWS_V2_OR_V4);
    }

    /** An in-memory server that does not check signatures: the back end of {@link OssServer}. */
    static S3Server startWithoutAuthentication() throws Exception {
        return new S3Server(blobStore("transient", null), AuthenticationType.NONE);
    }

    private static BlobStoreContext blobStore(String provider, Path dir) {
        Properties properties = new Properties();
        if (dir != null) {
            properties.setProperty(
                    "jclouds.filesystem.basedir", dir.toAbsolutePath().toString());
        }
        return ContextBuilder.newBuilder(provider)
                .credentials("identity", "credential")
                .overrides(properties)
                .build(BlobStoreContext.class);
    }

    private S3Proxy startProxy(int onPort) throws Exception {
        S3Proxy.Builder builder = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:" + onPort))
                .ignoreUnknownHeaders(true);
        if (authentication != AuthenticationType.NONE) {
            builder.awsAuthentication(authentication, ACCESS_KEY, SECRET_KEY);
        } else {
            builder.awsAuthentication(AuthenticationType.NONE, null, null);
        }
        S3Proxy started = builder.build();
        started.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(started.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("s3proxy did not start: " + started.getState());
            }
            Thread.sleep(10);
        }
        return started;
    }

    public void createBucket(String bucket) {
        blobStore().createContainerInLocation(null, bucket);
    }

    public BlobStore blobStore() {
        return context.getBlobStore();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /**
     * What a user puts under {@code plugin-config} to reach this server, SeaTunnel-style (the seed
     * document's SimpleAWSCredentialsProvider with keys) plus what an S3-compatible endpoint needs.
     */
    public Map<String, String> pluginConfig(String bucket, String namespace) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("storage.type", "s3");
        config.put("namespace", namespace);
        config.put("s3.bucket", "s3a://" + bucket);
        config.put("fs.s3a.endpoint", endpoint());
        config.put("fs.s3a.endpoint.region", "us-east-1");
        config.put("fs.s3a.path.style.access", "true");
        config.put("fs.s3a.connection.ssl.enabled", "false");
        config.put("fs.s3a.access.key", ACCESS_KEY);
        config.put("fs.s3a.secret.key", SECRET_KEY);
        config.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        config.put("fs.s3a.attempts.maximum", "2");
        config.put("fs.s3a.retry.limit", "2");
        config.put("fs.s3a.retry.interval", "100ms");
        return config;
    }

    /** Stops serving; objects are kept. */
    public void stop() throws Exception {
        proxy.stop();
    }

    /** Serves again on the same port, with the same objects. */
    public void restart() throws Exception {
        proxy = startProxy(port);
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.stop();
        } finally {
            context.close();
        }
    }
}
