package dev.cairn.checkpoint.storage.testbed;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jclouds.blobstore.BlobStore;

/**
 * An Aliyun OSS endpoint for tests: a small protocol shim in front of an in-JVM S3 server. No
 * JVM-embeddable OSS emulator exists; OSS speaks S3's protocol but for header prefixes ({@code
 * x-oss-} for {@code x-amz-}), its signature and XML without a namespace. The shim checks the OSS
 * (V1) signature of every request against {@link #ACCESS_KEY_ID}/{@link #ACCESS_KEY_SECRET},
 * maps the headers both ways and strips the S3 namespace from responses.
 */
public final class OssServer implements AutoCloseable {
    public static final String ACCESS_KEY_ID = "cairn-oss-id";
    public static final String ACCESS_KEY_SECRET = "cairn-oss-secret-Qe72mw";

    private static final Set<String> NOT_FORWARDED =
            Set.of("host", "content-length", "connection", "expect", "upgrade", "authorization", "transfer-encoding");
    /** The query parameters OSS signs (the subresources), of those the Hadoop client uses. */
    private static final Set<String> SUBRESOURCES = Set.of(
            "acl",
            "append",
            "continuation-token",
            "delete",
            "location",
            "objectMeta",
            "partNumber",
            "position",
            "security-token",
            "symlink",
            "tagging",
            "uploadId",
            "uploads",
            "versionId",
            "versioning",
            "versions",
            "response-cache-control",
            "response-content-disposition",
            "response-content-encoding",
            "response-content-language",
            "response-content-type",
            "response-expires");

    private final S3Server backend;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private volatile Predicate<String> failing = request -> false;

    private OssServer(S3Server backend) throws IOException {
        this.backend = backend;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public static OssServer start() throws Exception {
        return new OssServer(S3Server.startWithoutAuthentication());
    }

    public void createBucket(String bucket) {
        backend.createBucket(bucket);
    }

    /** The objects behind the shim, to look at what a client really left in a bucket. */
    public BlobStore blobStore() {
        return backend.blobStore();
    }

    /** {@code 127.0.0.1:port}: the OSS client switches to path-style requests for an IP endpoint. */
    public String endpoint() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** What a user puts under {@code plugin-config} to reach this endpoint (seed document style). */
    public Map<String, String> pluginConfig(String bucket, String namespace) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("storage.type", "oss");
        config.put("namespace", namespace);
        config.put("oss.bucket", "oss://" + bucket);
        config.put("fs.oss.endpoint", endpoint());
        config.put("fs.oss.connection.secure.enabled", "false");
        config.put("fs.oss.accessKeyId", ACCESS_KEY_ID);
        config.put("fs.oss.accessKeySecret", ACCESS_KEY_SECRET);
        config.put("fs.oss.credentials.provider", "org.apache.hadoop.fs.aliyun.oss.AliyunCredentialsProvider");
        config.put("fs.oss.attempts.maximum", "2");
        return config;
    }

    /**
     * Until called again with {@code null}, answers every request whose {@code "METHOD
     * path?query"} (e.g. {@code "POST /bucket/key?uploads"}) matches with {@code 503
     * ServiceUnavailable}, as an overloaded or failing OSS would, and lets the rest through: a
     * fault in the middle of what the client does.
     */
    public void failRequests(Predicate<String> which) {
        failing = which == null ? request -> false : which;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            URI requested = exchange.getRequestURI();
            String line = exchange.getRequestMethod() + " " + requested.getRawPath()
                    + (requested.getRawQuery() == null ? "" : "?" + requested.getRawQuery());
            if (failing.test(line)) {
                reply(
                        exchange,
                        503,
                        ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>ServiceUnavailable</Code>"
                                        + "<Message>failure injected by the test</Message><RequestId>0</RequestId>"
                                        + "<HostId>127.0.0.1</HostId></Error>")
                                .getBytes(StandardCharsets.UTF_8),
                        "application/xml");
                return;
            }
            String denied = checkSignature(exchange);
            if (denied != null) {
                reply(
                        exchange,
                        403,
                        ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SignatureDoesNotMatch"
                                        + "</Code><Message>" + denied + "</Message><RequestId>0</RequestId>"
                                        + "<HostId>127.0.0.1</HostId></Error>")
                                .getBytes(StandardCharsets.UTF_8),
                        "application/xml");
                return;
            }
            forward(exchange, body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            reply(exchange, 500, String.valueOf(e).getBytes(StandardCharsets.UTF_8), "text/plain");
        }
    }

    private void forward(HttpExchange exchange, byte[] body) throws IOException, InterruptedException {
        URI uri = exchange.getRequestURI();
        String query = uri.getRawQuery();
        URI target = URI.create(backend.endpoint() + uri.getRawPath() + (query == null ? "" : "?" + query));
        HttpRequest.Builder request = HttpRequest.newBuilder(target)
                .method(
                        exchange.getRequestMethod(),
                        body.length == 0
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!NOT_FORWARDED.contains(lower)) {
                String mapped = lower.startsWith("x-oss-") ? "x-amz-" + lower.substring(6) : lower;
                values.forEach(v -> request.header(mapped, v));
            }
        });
        HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        response.headers().map().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!lower.equals("content-length") && !lower.equals("transfer-encoding") && !lower.equals(":status")) {
                String mapped = lower.startsWith("x-amz-") ? "x-oss-" + lower.substring(6) : lower;
                values.forEach(v -> exchange.getResponseHeaders().add(mapped, v));
            }
        });
        byte[] out = response.body();
        String type = response.headers().firstValue("content-type").orElse("");
        if (type.contains("xml") || (out.length > 5 && new String(out, 0, 5, StandardCharsets.UTF_8).equals("<?xml"))) {
            String xml = new String(out, StandardCharsets.UTF_8)
                    .replace(" xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"", "");
            if ("GET".equals(exchange.getRequestMethod()) && query != null && query.contains("delimiter=")) {
                xml = markersAsCommonPrefixes(xml, query);
            }
            out = xml.getBytes(StandardCharsets.UTF_8);
        }
        if ("HEAD".equals(exchange.getRequestMethod())) {
            response.headers().firstValue("content-length").ifPresent(len -> exchange.getResponseHeaders()
                    .set("Content-Length", len));
            exchange.sendResponseHeaders(response.statusCode(), -1);
            return;
        }
        exchange.sendResponseHeaders(response.statusCode(), out.length == 0 ? -1 : out.length);
        if (out.length > 0) {
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        }
    }

    private static final Pattern CONTENTS = Pattern.compile("<Contents>.*?</Contents>", Pattern.DOTALL);
    private static final Pattern KEY = Pattern.compile("<Key>(.*?)</Key>");

    /**
     * A delimited listing as S3 and OSS give it: a directory marker below the prefix (a key that
     * ends with the delimiter, such as the {@code job/pipeline/} hadoop-aliyun writes after every
     * delete) is rolled up into its common prefix. The in-memory store behind the shim lists such a
     * marker as an object instead, which hadoop-aliyun then reports as a file.
     */
    private static String markersAsCommonPrefixes(String xml, String rawQuery) {
        Map<String, String> params = new TreeMap<>();
        for (String pair : rawQuery.split("&")) {
            String[] kv = pair.split("=", 2);
            params.put(
                    URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        String prefix = params.getOrDefault("prefix", "");
        String delimiter = params.getOrDefault("delimiter", "");
        if (delimiter.isEmpty()) {
            return xml;
        }
        StringBuilder kept = new StringBuilder();
        List<String> rolledUp = new ArrayList<>();
        Matcher contents = CONTENTS.matcher(xml);
        while (contents.find()) {
            Matcher key = KEY.matcher(contents.group());
            String name = key.find() ? key.group(1) : "";
            String rest = name.startsWith(prefix) ? name.substring(prefix.length()) : "";
            int at = rest.indexOf(delimiter);
            if (at >= 0) {
                String common = prefix + rest.substring(0, at + delimiter.length());
                if (!xml.contains("<Prefix>" + common + "</Prefix>") && !rolledUp.contains(common)) {
                    rolledUp.add(common);
                }
                contents.appendReplacement(kept, "");
            } else {
                contents.appendReplacement(kept, Matcher.quoteReplacement(contents.group()));
            }
        }
        contents.appendTail(kept);
        String result = kept.toString();
        StringBuilder prefixes = new StringBuilder();
        rolledUp.forEach(
                c -> prefixes.append("<CommonPrefixes><Prefix>").append(c).append("</Prefix></CommonPrefixes>"));
        int end = result.lastIndexOf("</ListBucketResult>");
        return end < 0 ? result : result.substring(0, end) + prefixes + result.substring(end);
    }

    private static void reply(HttpExchange exchange, int status, byte[] body, String type) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(body);
        }
    }

    /** Null if the request carries a valid OSS V1 signature, else why not. */
    private static String checkSignature(HttpExchange exchange) {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.startsWith("OSS ") || !authorization.contains(":")) {
            return "request is not signed";
        }
        String credential = authorization.substring(4);
        int colon = credential.lastIndexOf(':');
        if (!credential.substring(0, colon).equals(ACCESS_KEY_ID)) {
            return "unknown access key id";
        }
        String expected = sign(stringToSign(exchange));
        return expected.equals(credential.substring(colon + 1)) ? null : "signature does not match";
    }

    private static String stringToSign(HttpExchange exchange) {
        StringBuilder s = new StringBuilder();
        s.append(exchange.getRequestMethod()).append('\n');
        s.append(header(exchange, "Content-MD5")).append('\n');
        s.append(header(exchange, "Content-Type")).append('\n');
        s.append(header(exchange, "Date")).append('\n');
        Map<String, String> ossHeaders = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("x-oss-")) {
                ossHeaders.put(lower, String.join(",", values).trim());
            }
        });
        ossHeaders.forEach((k, v) -> s.append(k).append(':').append(v).append('\n'));
        s.append(exchange.getRequestURI().getPath());
        Map<String, String> signed = new TreeMap<>();
        String query = exchange.getRequestURI().getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                String[] kv = pair.split("=", 2);
                String key = URLDecoder.decode(kv[0], StandardCharsets.UTF_8);
                if (SUBRESOURCES.contains(key)) {
                    signed.put(key, kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : null);
                }
            }
        }
        String sep = "?";
        for (Map.Entry<String, String> e : signed.entrySet()) {
            s.append(sep).append(e.getKey());
            if (e.getValue() != null && !e.getValue().isEmpty()) {
                s.append('=').append(e.getValue());
            }
            sep = "&";
        }
        return s.toString();
    }

    private static String header(HttpExchange exchange, String name) {
        List<String> values = exchange.getRequestHeaders().get(name);
        return values == null || values.isEmpty() ? "" : values.get(0).trim();
    }

    private static String sign(String stringToSign) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(ACCESS_KEY_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws Exception {
        server.stop(0);
        executor.shutdownNow();
        backend.close();
    }
}
