package dev.cairn.checkpoint.cluster.internal.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.config.HttpConfig;
import dev.cairn.checkpoint.cluster.internal.node.Threads;
import dev.cairn.checkpoint.cluster.internal.rpc.JobRecords;
import dev.cairn.checkpoint.storage.api.JobId;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;

/**
 * A member's statistics endpoint (when {@code seatunnel.engine.http.enable-http} is on), read-only,
 * from the cluster's job records, so any member answers for every job:
 *
 * <ul>
 *   <li>{@code GET /cairn/jobs}: every job's state and counters (JSON).
 *   <li>{@code GET /cairn/jobs/JOB}: one job, with its pipelines and recent checkpoints (JSON).
 *   <li>{@code GET /cairn/ui/}: the checkpoint page, which reads the two above; its files come
 *       from the jar ({@link WebAssets}). {@code /cairn} and {@code /cairn/ui} lead there.
 *   <li>{@code GET /metrics}: every job's metrics in the Prometheus text format ({@link
 *       CairnMetrics}), or another format the scraper asks for and the client library has; and
 *       one of this member's own, {@code cairn_member_held_part_bytes}.
 * </ul>
 *
 * A job id that is not a valid one (a path, {@code ..}, anything outside the id rules) is refused
 * with 400 before any lookup; an unknown one, or any other path, is 404; anything but GET is 405.
 */
public final class StatsServer implements AutoCloseable {
    private static final String JOBS = "/cairn/jobs";
    private static final String UI = "/cairn/ui";
    private static final String METRICS = "/metrics";
    /**
     * The page runs only its own script and style, reads only this server, and cannot be framed:
     * whatever a job's record holds, it cannot bring in or run anything.
     */
    private static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2, Threads.daemon("cairn-http"));
    private final SnapshotMapsView jobs;
    private final WebAssets assets = new WebAssets();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();

    /** Where the server reads job records from. */
    public interface SnapshotMapsView {
        Map<String, byte[]> jobs();
    }

    /**
     * @param heldPartBytes the task state this member holds until it stores it ({@code
     *     HeldParts.bytes})
     */
    public StatsServer(HttpConfig config, SnapshotMapsView jobs, LongSupplier heldPartBytes) throws IOException {
        this.jobs = jobs;
        this.registry.register(new CairnMetrics(jobs.jobs()));
        this.registry.register(() -> GaugeSnapshot.builder()
                .name("cairn_member_held_part_bytes")
                .help("Task state this member put into the cluster's memory and holds until it stores it:"
                        + " the two newest checkpoints of each pipeline at most, an eighth of the heap at most."
                        + " It grows while storage lags.")
                .unit(Unit.BYTES)
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .value(heldPartBytes.getAsLong())
                        .build())
                .build());
        this.server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 16);
        server.createContext(JOBS, exchange -> serve(exchange, this::jobs));
        server.createContext(UI, exchange -> serve(exchange, this::page));
        server.createContext("/cairn", exchange -> serve(exchange, this::home));
        server.createContext(METRICS, exchange -> serve(exchange, this::metrics));
        server.setExecutor(executor);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private interface Handler {
        void handle(HttpExchange exchange, String path) throws IOException;
    }

    private static void serve(HttpExchange exchange, Handler handler) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            if (!"GET".equals(exchange.getRequestMethod())) {
                json(exchange, 405, error("only GET is served"));
                return;
            }
            try {
                handler.handle(exchange, exchange.getRequestURI().getPath());
            } catch (RuntimeException e) {
                json(exchange, 500, error(e.getClass().getSimpleName()));
            }
        }
    }

    private void jobs(HttpExchange exchange, String path) throws IOException {
        if (path.equals(JOBS) || path.equals(JOBS + "/")) {
            Map<String, JobStatus> all = new TreeMap<>();
            jobs.jobs().forEach((id, bytes) -> all.put(id, JobRecords.decode(bytes)));
            json(exchange, 200, JobJson.summaries(all.values()));
            return;
        }
        if (!path.startsWith(JOBS + "/")) { // the context matches any path starting with JOBS
            notFound(exchange);
            return;
        }
        String id = path.substring(JOBS.length() + 1);
        try {
            JobId.of(id);
        } catch (IllegalArgumentException e) {
            json(exchange, 400, error(e.getMessage()));
            return;
        }
        JobStatus job = JobRecords.decode(jobs.jobs().get(id));
        if (job == null) {
            json(exchange, 404, error("no job " + id));
            return;
        }
        json(exchange, 200, JobJson.detail(job));
    }

    private void page(HttpExchange exchange, String path) throws IOException {
        if (path.equals(UI)) {
            redirect(exchange);
            return;
        }
        Optional<WebAssets.Asset> asset =
                path.startsWith(UI + "/") ? assets.get(path.substring(UI.length() + 1)) : Optional.empty();
        if (asset.isEmpty()) {
            notFound(exchange);
            return;
        }
        if (asset.get().contentType().startsWith("text/html")) {
            exchange.getResponseHeaders().set("Content-Security-Policy", PAGE_POLICY);
            exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        }
        reply(exchange, 200, asset.get().contentType(), asset.get().body());
    }

    /** {@code /cairn} and {@code /cairn/} lead to the page; anything else under it is not here. */
    private void home(HttpExchange exchange, String path) throws IOException {
        if (path.equals("/cairn") || path.equals("/cairn/")) {
            redirect(exchange);
        } else {
            notFound(exchange);
        }
    }

    private void metrics(HttpExchange exchange, String path) throws IOException {
        if (!path.equals(METRICS)) {
            notFound(exchange);
            return;
        }
        ExpositionFormatWriter writer =
                formats.findWriter(exchange.getRequestHeaders().getFirst("Accept"));
        ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
        writer.write(body, registry.scrape());
        reply(exchange, 200, writer.getContentType(), body.toByteArray());
    }

    private static void redirect(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Location", UI + "/");
        exchange.sendResponseHeaders(302, -1);
    }

    private static void notFound(HttpExchange exchange) throws IOException {
        json(exchange, 404, error("no such resource: try " + UI + "/, " + JOBS + ", " + JOBS + "/JOB or " + METRICS));
    }

    private static String error(String message) {
        return JobJson.quote(new StringBuilder("{\"error\":"), message)
                .append('}')
                .toString();
    }

    private static void json(HttpExchange exchange, int status, String json) throws IOException {
        reply(exchange, status, "application/json; charset=utf-8", json.getBytes(StandardCharsets.UTF_8));
    }

    private static void reply(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
