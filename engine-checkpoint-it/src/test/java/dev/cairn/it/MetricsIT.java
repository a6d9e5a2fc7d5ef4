package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.LatencyHistogram;
import dev.cairn.checkpoint.api.PipelineStats;
import dev.cairn.checkpoint.cluster.CairnMember;
import io.prometheus.metrics.expositionformats.generated.Metrics;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} of a running cluster, read back with the Prometheus Java client's own parser
 * (the client has no parser of its text format; it does have one of its protobuf format, which the
 * same endpoint serves when asked, from the same snapshots) and checked against the job's record:
 * names, types, labels and values. Counters survive a master change; the text format that
 * Prometheus scrapes by default carries the same samples; the metric names in the docs and in the
 * example Grafana dashboard exist.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class MetricsIT {
    private static final String PROTOBUF =
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
    private static final List<String> COUNTERS = List.of(
            "cairn_checkpoints_completed_total",
            "cairn_checkpoints_committed_total",
            "cairn_checkpoints_failed_total",
            "cairn_checkpoint_storage_errors_total",
            "cairn_pipeline_restarts_total",
            "cairn_pipeline_restores_total");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    @AfterEach
    void reset() {
        Faults.reset();
    }

    @Test
    void metrics_onEveryMember_areTheJobRecords_andCountersGoOnAcrossAMasterChange() throws Exception {
        var config = TestCluster.engine(
                "interval: 200\ntimeout: 15000\ninline-state-limit: 0", // every state a part, held by its member
                "localfile",
                Map.of("namespace", dir.resolve("ckpt").toString()),
                1,
                "http:\n  enable-http: true\n  port: 0");
        try (TestCluster cluster = TestCluster.start(3, config, FaultyStorage::new)) {
            cluster.submit(Demo.job("metrics", 10_000_000, 2, 5_000, dir.resolve("out")));
            cluster.awaitJob(
                    "metrics",
                    r -> r.pipeline("1") != null && r.pipeline("1").checkpointsCommitted() >= 3,
                    Duration.ofSeconds(30));

            // A storage outage: failed writes are counted, and the pipeline says its storage fails.
            Faults.storageDown = true;
            cluster.awaitJob(
                    "metrics",
                    r -> r.pipeline("1").storageErrors() >= 2 && r.pipeline("1").storageError() != null,
                    Duration.ofSeconds(30));
            CairnMember survivor = cluster.members().stream()
                    .filter(m -> !m.isMaster())
                    .findFirst()
                    .orElseThrow();
            Map<String, Metrics.MetricFamily> outage = scrape(survivor);
            assertEquals(1, value(outage, "cairn_checkpoint_storage_failing", "metrics"));
            // Each member holds the parts it put until it stores them (its own gauge): while nothing
            // is stored, what the members hold is more than nothing.
            double held = 0;
            for (CairnMember member : cluster.members()) {
                held += memberValue(scrape(member), "cairn_member_held_part_bytes");
            }
            assertTrue(held > 0, "the members hold the parts they cannot store yet: " + held);
            Faults.storageDown = false;
            cluster.awaitJob("metrics", r -> r.pipeline("1").storageError() == null, Duration.ofSeconds(30));

            // A master change: the new master continues the counters from the record.
            Map<String, Metrics.MetricFamily> before = scrape(survivor);
            JobStatus old = cluster.job("metrics");
            cluster.kill(cluster.master());
            cluster.awaitJob(
                    "metrics",
                    r -> r.epoch() > old.epoch()
                            && r.pipeline("1").checkpointsCompleted()
                                    > old.pipeline("1").checkpointsCompleted()
                            && r.state() == JobState.RUNNING,
                    Duration.ofSeconds(45));
            Map<String, Metrics.MetricFamily> after = scrape(survivor);
            for (String counter : COUNTERS) {
                assertTrue(
                        value(after, counter, "metrics") >= value(before, counter, "metrics"),
                        counter + " went back across the master change");
            }
            assertEquals(
                    value(before, "cairn_pipeline_restarts_total", "metrics") + 1,
                    value(after, "cairn_pipeline_restarts_total", "metrics"),
                    "the takeover restarted the pipeline once");
            assertTrue(histogram(after, "cairn_checkpoint_duration_seconds").getSampleCount()
                    > histogram(before, "cairn_checkpoint_duration_seconds").getSampleCount());

            // The job ends; its record no longer changes: every member serves exactly the record.
            cluster.cancel("metrics");
            JobStatus job = cluster.awaitJobState("metrics", JobState.CANCELLED, Duration.ofSeconds(30));
            for (CairnMember member : cluster.members()) {
                assertRecord(job, scrape(member));
            }

            // The text format (Prometheus's default) has every sample of the protobuf scrape.
            HttpResponse<String> text = get(survivor, null);
            assertEquals(
                    "text/plain; version=0.0.4; charset=utf-8",
                    text.headers().firstValue("Content-Type").orElse(""));
            Set<String> sampleNames = assertSameSamples(scrape(survivor), text.body());

            // The docs and the example dashboard name only metrics that exist.
            Path docs = Path.of("..", "docs");
            String dashboard = Files.readString(docs.resolve("grafana/cairn-dashboard.json"));
            com.hazelcast.internal.json.Json.parse(dashboard); // well-formed JSON
            for (String file : List.of("operations.md", "grafana/cairn-dashboard.json")) {
                Matcher names = Pattern.compile("\\bcairn_[a-z_]+[a-z]").matcher(Files.readString(docs.resolve(file)));
                Set<String> named = new TreeSet<>();
                while (names.find()) {
                    named.add(names.group());
                    assertTrue(
                            sampleNames.contains(names.group()),
                            file + " names " + names.group() + ", which /metrics does not serve: " + sampleNames);
                }
                assertTrue(named.size() >= 10, file + " names only " + named);
            }
        }
    }

    private static void assertRecord(JobStatus job, Map<String, Metrics.MetricFamily> metrics) {
        PipelineStats p = job.pipeline("1");
        assertEquals(p.checkpointsCompleted(), value(metrics, "cairn_checkpoints_completed_total", "metrics"));
        assertEquals(p.checkpointsCommitted(), value(metrics, "cairn_checkpoints_committed_total", "metrics"));
        assertEquals(p.checkpointsFailed(), value(metrics, "cairn_checkpoints_failed_total", "metrics"));
        assertEquals(p.storageErrors(), value(metrics, "cairn_checkpoint_storage_errors_total", "metrics"));
        assertEquals(p.restarts(), value(metrics, "cairn_pipeline_restarts_total", "metrics"));
        assertEquals(p.restores(), value(metrics, "cairn_pipeline_restores_total", "metrics"));
        assertEquals(p.flushBacklog(), value(metrics, "cairn_checkpoint_flush_backlog", "metrics"));
        assertEquals(0, value(metrics, "cairn_checkpoint_storage_failing", "metrics"));
        assertEquals(p.lastCheckpointId(), value(metrics, "cairn_checkpoint_last_completed_id", "metrics"));
        assertEquals(p.lastCommittedId(), value(metrics, "cairn_checkpoint_last_committed_id", "metrics"));
        assertEquals(p.lastCheckpointBytes(), value(metrics, "cairn_checkpoint_last_state_bytes", "metrics"));
        assertTrue(p.storageErrors() >= 2 && p.restarts() >= 1 && p.restores() >= 1, p.toString());
        assertHistogram(p.duration(), histogram(metrics, "cairn_checkpoint_duration_seconds"));
        assertEquals(p.checkpointsCompleted(), p.duration().count(), "every completed checkpoint is in the histogram");
        assertHistogram(p.storageWrite(), histogram(metrics, "cairn_checkpoint_storage_write_seconds"));
        assertTrue(p.storageWrite().count() > 0);

        Metrics.MetricFamily state = metrics.get("cairn_job_state");
        assertEquals(Metrics.MetricType.GAUGE, state.getType());
        Map<String, Double> states = new TreeMap<>();
        for (Metrics.Metric m : state.getMetricList()) {
            assertEquals("metrics", label(m, "job_id"));
            states.put(label(m, "state"), m.getGauge().getValue());
        }
        Map<String, Double> expected = new TreeMap<>();
        for (JobState each : JobState.values()) {
            expected.put(each.name(), each == JobState.CANCELLED ? 1.0 : 0.0);
        }
        assertEquals(expected, states, "one series per state, the job's at 1");
        Metrics.Metric records =
                metrics.get("cairn_job_records_committed_total").getMetric(0);
        assertEquals(job.recordsCommitted(), records.getCounter().getValue());
    }

    private static void assertHistogram(LatencyHistogram expected, Metrics.Histogram actual) {
        assertEquals(expected.count(), actual.getSampleCount());
        assertEquals(expected.sumMillis() / 1000.0, actual.getSampleSum(), 1e-9);
        long[] bounds = LatencyHistogram.boundsMillis();
        long[] counts = expected.counts();
        long cumulative = 0;
        for (int i = 0; i < bounds.length; i++) {
            cumulative += counts[i];
            Metrics.Bucket bucket = actual.getBucket(i);
            assertEquals(bounds[i] / 1000.0, bucket.getUpperBound(), 1e-12);
            assertEquals(cumulative, bucket.getCumulativeCount(), "bucket le=" + bucket.getUpperBound());
        }
    }

    /** The value of the one series of {@code name} for the job (and its pipeline 1, where it has pipelines). */
    /** A gauge of the scraped member itself: one series, no labels. */
    private static double memberValue(Map<String, Metrics.MetricFamily> metrics, String name) {
        Metrics.MetricFamily family = metrics.get(name);
        assertTrue(family != null, "no " + name + " in " + metrics.keySet());
        assertEquals(Metrics.MetricType.GAUGE, family.getType(), name);
        assertEquals(1, family.getMetricCount(), name + ": the member's own");
        assertEquals(List.of(), labelNames(family.getMetric(0)), name);
        return family.getMetric(0).getGauge().getValue();
    }

    private static double value(Map<String, Metrics.MetricFamily> metrics, String name, String job) {
        Metrics.MetricFamily family = metrics.get(name);
        assertTrue(family != null, "no " + name + " in " + metrics.keySet());
        assertEquals(
                COUNTERS.contains(name) ? Metrics.MetricType.COUNTER : Metrics.MetricType.GAUGE,
                family.getType(),
                name);
        assertEquals(1, family.getMetricCount(), name + ": one job, one pipeline");
        Metrics.Metric m = family.getMetric(0);
        assertEquals(List.of("job_id", "pipeline"), labelNames(m), name);
        assertEquals(job, label(m, "job_id"));
        assertEquals("1", label(m, "pipeline"));
        return family.getType() == Metrics.MetricType.COUNTER
                ? m.getCounter().getValue()
                : m.getGauge().getValue();
    }

    private static Metrics.Histogram histogram(Map<String, Metrics.MetricFamily> metrics, String name) {
        Metrics.MetricFamily family = metrics.get(name);
        assertEquals(Metrics.MetricType.HISTOGRAM, family.getType(), name);
        assertEquals(1, family.getMetricCount());
        assertEquals(List.of("job_id", "pipeline"), labelNames(family.getMetric(0)));
        return family.getMetric(0).getHistogram();
    }

    private static List<String> labelNames(Metrics.Metric m) {
        List<String> names = new ArrayList<>();
        m.getLabelList().forEach(l -> names.add(l.getName()));
        return names;
    }

    private static String label(Metrics.Metric m, String name) {
        return m.getLabelList().stream()
                .filter(l -> l.getName().equals(name))
                .findFirst()
                .orElseThrow()
                .getValue();
    }

    /**
     * Every sample of the protobuf scrape is a line of the text one, with the same value, and the
     * other way round; returns the family and sample names (a histogram's with and without {@code
     * _bucket}, {@code _sum}, {@code _count}).
     */
    private static Set<String> assertSameSamples(Map<String, Metrics.MetricFamily> metrics, String text) {
        Map<String, Double> lines = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                int space = line.lastIndexOf(' ');
                lines.put(line.substring(0, space), Double.valueOf(line.substring(space + 1)));
            }
        }
        Set<String> names = new TreeSet<>();
        Set<String> seen = new TreeSet<>();
        for (Metrics.MetricFamily family : metrics.values()) {
            names.add(family.getName());
            assertTrue(
                    text.contains("# TYPE " + family.getName() + " "
                            + family.getType().name().toLowerCase(java.util.Locale.ROOT) + "\n"),
                    family.getName());
            for (Metrics.Metric m : family.getMetricList()) {
                String labels = labels(m, null);
                switch (family.getType()) {
                    case COUNTER -> expectLine(
                            lines,
                            seen,
                            names,
                            family.getName(),
                            labels,
                            m.getCounter().getValue());
                    case GAUGE -> expectLine(
                            lines,
                            seen,
                            names,
                            family.getName(),
                            labels,
                            // A member's own gauge may move between the two scrapes; the records' do not.
                            family.getName().startsWith("cairn_member_")
                                    ? Double.NaN
                                    : m.getGauge().getValue());
                    case HISTOGRAM -> {
                        Metrics.Histogram h = m.getHistogram();
                        for (Metrics.Bucket b : h.getBucketList()) {
                            expectLine(
                                    lines,
                                    seen,
                                    names,
                                    family.getName() + "_bucket",
                                    labels(m, b.getUpperBound()),
                                    b.getCumulativeCount());
                        }
                        expectLine(
                                lines,
                                seen,
                                names,
                                family.getName() + "_bucket",
                                labels(m, Double.POSITIVE_INFINITY),
                                h.getSampleCount());
                        expectLine(lines, seen, names, family.getName() + "_count", labels, h.getSampleCount());
                        expectLine(lines, seen, names, family.getName() + "_sum", labels, h.getSampleSum());
                    }
                    default -> throw new AssertionError(family.getName() + " is a " + family.getType());
                }
            }
        }
        assertEquals(seen, lines.keySet(), "the same samples in both formats");
        return names;
    }

    private static void expectLine(
            Map<String, Double> lines, Set<String> seen, Set<String> names, String name, String labels, double value) {
        String series = name + labels;
        seen.add(series);
        assertTrue(lines.containsKey(series), "the text format lacks " + series + ": " + lines.keySet());
        if (!Double.isNaN(value)) {
            assertEquals(value, lines.get(series), 1e-9, series);
        }
        names.add(name);
    }

    private static String labels(Metrics.Metric m, Double le) {
        StringBuilder s = new StringBuilder("{");
        for (Metrics.LabelPair l : m.getLabelList()) {
            s.append(l.getName()).append("=\"").append(l.getValue()).append("\",");
        }
        if (le != null) {
            s.append("le=\"").append(le.isInfinite() ? "+Inf" : formatLe(le)).append("\",");
        }
        if (s.length() == 1) {
            return ""; // no labels: the series is the bare name
        }
        s.setLength(s.length() - 1);
        return s.append('}').toString();
    }

    private static String formatLe(double le) {
        return le == Math.rint(le) ? Long.toString((long) le) + ".0" : Double.toString(le);
    }

    private Map<String, Metrics.MetricFamily> scrape(CairnMember member) throws Exception {
        HttpResponse<byte[]> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + member.httpPort() + "/metrics"))
                        .header("Accept", PROTOBUF)
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertTrue(
                response.headers().firstValue("Content-Type").orElse("").startsWith("application/vnd.google.protobuf"));
        Map<String, Metrics.MetricFamily> families = new TreeMap<>();
        try (InputStream in = new ByteArrayInputStream(response.body())) {
            Metrics.MetricFamily family;
            while ((family = Metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
                families.put(family.getName(), family);
            }
        }
        return families;
    }

    private HttpResponse<String> get(CairnMember member, String accept) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + member.httpPort() + "/metrics"));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
