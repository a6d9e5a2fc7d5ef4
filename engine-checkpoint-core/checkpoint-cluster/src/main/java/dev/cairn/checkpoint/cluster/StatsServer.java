package dev.cairn.checkpoint.cluster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.config.HttpConfig;
import dev.cairn.checkpoint.storage.api.JobId;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A member's statistics endpoint (when {@code seatunnel.engine.http.enable-http} is on), read-only
 * JSON from the cluster's job records, so any member answers for every job:
 *
 * <ul>
 *   <li>{@code GET /cairn/jobs}: every job's state and counters.
 *   <li>{@code GET /cairn/jobs/JOB}: one job, with its recent checkpoints.
 * </ul>
 *
 * A job id that is not a valid one (a path, {@code ..}, anything outside the id rules) is refused
 * with 400 before any lookup; an unknown one is 404; anything but GET is 405.
 */
final class StatsServer implements AutoCloseable {
    private static final String PREFIX = "/cairn/jobs";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2, CairnNode.daemon("cairn-http"));
    private final SnapshotMapsView jobs;

    /** Where the server reads job records from. */
    interface SnapshotMapsView {
        Map<String, byte[]> jobs();
    }

    StatsServer(HttpConfig config, SnapshotMapsView jobs) throws IOException {
        this.jobs = jobs;
        this.server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 16);
        server.createContext(PREFIX, this::handle);
        server.setExecutor(executor);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, error("only GET is served"));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (path.equals(PREFIX) || path.equals(PREFIX + "/")) {
                Map<String, JobStatus> all = new TreeMap<>();
                jobs.jobs().forEach((id, bytes) -> all.put(id, JobRecords.decode(bytes)));
                reply(exchange, 200, JobJson.summaries(all.values()));
                return;
            }
            if (!path.startsWith(PREFIX + "/")) { // the context matches any path starting with PREFIX
                reply(exchange, 404, error("no such resource: try " + PREFIX + " or " + PREFIX + "/JOB"));
                return;
            }
            String id = path.substring(PREFIX.length() + 1);
            try {
                JobId.of(id);
            } catch (IllegalArgumentException e) {
                reply(exchange, 400, error(e.getMessage()));
                return;
            }
            JobStatus job = JobRecords.decode(jobs.jobs().get(id));
            if (job == null) {
                reply(exchange, 404, error("no job " + id));
                return;
            }
            reply(exchange, 200, JobJson.detail(job));
        } catch (RuntimeException e) {
            reply(exchange, 500, error(e.getClass().getSimpleName()));
        }
    }

    private static String error(String message) {
        return JobJson.quote(new StringBuilder("{\"error\":"), message)
                .append('}')
                .toString();
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
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
