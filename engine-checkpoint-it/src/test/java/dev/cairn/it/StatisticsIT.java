package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.cluster.CairnMember;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The statistics of a running job, from every member: over HTTP (loopback) and JMX. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StatisticsIT {
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(CairnMember member, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + member.httpPort() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void httpEndpointAndMBeans_onEveryMember_showTheRunningJobsCheckpoints() throws Exception {
        var config = TestCluster.engine(
                "interval: 200\ntimeout: 15000",
                "hdfs",
                Map.of("namespace", dir.resolve("ckpt").toString()),
                1,
                "http:\n  enable-http: true\n  port: 0");
        try (TestCluster cluster = TestCluster.start(3, config)) {
            cluster.submit(Demo.job("stats", 1_000_000, 4, 20_000, dir.resolve("out")));
            JobStatus running = cluster.awaitJob("stats", r -> r.checkpointsCompleted() >= 4, Duration.ofSeconds(30));

            for (CairnMember member : cluster.members()) {
                assertTrue(member.httpPort() > 0);
                HttpResponse<String> jobs = get(member, "/cairn/jobs");
                assertEquals(200, jobs.statusCode());
                assertTrue(
                        jobs.body().startsWith("[{\"jobId\":\"stats\",\"type\":\"demo\",\"state\":\"RUNNING\""),
                        jobs.body());
                HttpResponse<String> job = get(member, "/cairn/jobs/stats");
                assertEquals(200, job.statusCode());
                assertTrue(job.body().contains("\"checkpoints\":[{\"pipeline\":\"1\",\"id\":"), job.body());
                assertTrue(job.body().contains("\"status\":\"COMMITTED\""), job.body());
                assertTrue(job.body().contains("\"checkpointsCommitted\":"), job.body());
                assertTrue(job.body().contains("\"commitAfter\":\"storage\""), job.body());
                assertTrue(job.body().contains("\"slowestTask\":\""), job.body());
            }
            CairnMember any = cluster.members().get(2);
            assertEquals(404, get(any, "/cairn/jobs/nope").statusCode());
            assertEquals(400, get(any, "/cairn/jobs/..%2F..%2Fetc").statusCode());
            assertEquals(400, get(any, "/cairn/jobs/a/b").statusCode());
            assertEquals(404, get(any, "/cairn/jobsXstats").statusCode(), "a path that only starts like /cairn/jobs");
            assertEquals(404, get(any, "/cairn/jobsX").statusCode());

            // The page and the metrics beside them; nothing else of the jar or the disk.
            HttpResponse<String> page = get(any, "/cairn/ui/");
            assertEquals(200, page.statusCode());
            assertEquals(
                    "text/html; charset=utf-8",
                    page.headers().firstValue("Content-Type").orElse(""));
            assertTrue(page.headers()
                    .firstValue("Content-Security-Policy")
                    .orElse("")
                    .startsWith("default-src 'none'"));
            assertEquals(200, get(any, "/cairn/ui/cairn.js").statusCode());
            assertEquals(200, get(any, "/cairn/ui/cairn.css").statusCode());
            HttpResponse<String> home = get(any, "/cairn");
            assertEquals(302, home.statusCode());
            assertEquals("/cairn/ui/", home.headers().firstValue("Location").orElse(""));
            assertEquals(302, get(any, "/cairn/ui").statusCode());
            for (String hostile : List.of(
                    "/cairn/ui/..%2F..%2Fpom.xml",
                    "/cairn/ui/%2e%2e/%2e%2e/etc/passwd",
                    "/cairn/ui/../cluster/StatsServer.class",
                    "/cairn/ui/web/index.html",
                    "/cairn/ui/index.html/",
                    "/cairn/ui/StatsServer.class",
                    "/cairn/ui//etc/passwd",
                    "/cairn/uiX",
                    "/cairnX",
                    "/metricsX",
                    "/metrics/")) {
                HttpResponse<String> refused = get(any, hostile);
                assertEquals(404, refused.statusCode(), hostile);
                assertTrue(refused.body().startsWith("{\"error\":"), hostile + ": " + refused.body());
            }
            HttpResponse<String> metrics = get(any, "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("cairn_checkpoints_completed_total{job_id=\"stats\",pipeline=\"1\"} "));
            assertEquals(
                    405,
                    http.send(
                                    HttpRequest.newBuilder(
                                                    URI.create("http://127.0.0.1:" + any.httpPort() + "/metrics"))
                                            .POST(HttpRequest.BodyPublishers.noBody())
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode());

            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName pattern = new ObjectName("dev.cairn:type=Job,job=\"stats\",*");
            TestCluster.await(
                    () -> server.queryNames(pattern, null).size() == 3,
                    Duration.ofSeconds(10),
                    "one MBean of the job on each of the 3 members");
            Set<ObjectName> beans = server.queryNames(pattern, null);
            for (ObjectName bean : beans) {
                assertEquals("RUNNING", server.getAttribute(bean, "State"));
                assertEquals("demo", server.getAttribute(bean, "Type"));
                assertEquals(0, server.getAttribute(bean, "Restarts"));
                assertEquals("", server.getAttribute(bean, "StorageError"));
                assertEquals("nothing", server.getAttribute(bean, "RestoredFrom"));
                assertTrue((Long) server.getAttribute(bean, "CheckpointsCompleted") >= running.checkpointsCompleted());
                assertTrue((Long) server.getAttribute(bean, "LastCheckpointId") > 0);
                assertTrue((Long) server.getAttribute(bean, "CheckpointsCommitted") > 0);
                assertEquals("storage", server.getAttribute(bean, "CommitAfter"));
                assertTrue(((String) server.getAttribute(bean, "HistoryJson")).startsWith("[{\"pipeline\":\"1\""));
            }
            cluster.cancel("stats");
        }
    }
}
