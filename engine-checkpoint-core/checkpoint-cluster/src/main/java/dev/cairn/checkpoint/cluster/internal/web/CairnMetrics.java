package dev.cairn.checkpoint.cluster.internal.web;

import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.LatencyHistogram;
import dev.cairn.checkpoint.api.PipelineStats;
import dev.cairn.checkpoint.cluster.internal.rpc.JobRecords;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Every job's checkpoint metrics for {@code /metrics}, built at each scrape from the job records in
 * the cluster, so any member answers alike for every job. Counters and histograms are those the
 * records carry: counted since the job was submitted and continued by a new master (see {@link
 * PipelineStats}).
 *
 * <p>Labels: {@code job_id} and {@code pipeline} ({@code job} and {@code instance} are the labels
 * Prometheus itself gives a scrape target, so a job is not called {@code job} here).
 */
final class CairnMetrics implements MultiCollector {
    private final Map<String, byte[]> jobs;

    CairnMetrics(Map<String, byte[]> jobs) {
        this.jobs = jobs;
    }

    /** One pipeline of one job, as a scrape sees it. */
    private record Row(String job, PipelineStats stats) {
        Labels labels() {
            return Labels.of("job_id", job, "pipeline", stats.pipeline());
        }
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, JobStatus> all = new TreeMap<>();
        jobs.forEach((id, bytes) -> {
            JobStatus record = JobRecords.decode(bytes);
            if (record != null) {
                all.put(id, record);
            }
        });
        List<Row> rows = new ArrayList<>();
        all.values().forEach(job -> job.pipelines().forEach(p -> rows.add(new Row(job.jobId(), p))));

        List<MetricSnapshot> metrics = new ArrayList<>();
        metrics.add(histogram(
                "cairn_checkpoint_duration_seconds",
                "Time from trigger to completion of completed checkpoints (in the cluster's memory).",
                rows,
                PipelineStats::duration));
        metrics.add(counter(
                "cairn_checkpoints_completed",
                "Checkpoints completed in the cluster's memory.",
                rows,
                PipelineStats::checkpointsCompleted));
        metrics.add(counter(
                "cairn_checkpoints_committed",
                "Checkpoints whose commit the sinks were told of (with commit-after: storage, once stored).",
                rows,
                PipelineStats::checkpointsCommitted));
        metrics.add(counter(
                "cairn_checkpoints_failed",
                "Checkpoints that failed (timeout, task failure, snapshot store, subsumed).",
                rows,
                PipelineStats::checkpointsFailed));
        metrics.add(gauge(
                "cairn_checkpoint_flush_backlog",
                "Completed checkpoints not yet in storage.",
                null,
                rows,
                PipelineStats::flushBacklog));
        metrics.add(histogram(
                "cairn_checkpoint_storage_write_seconds",
                "Time each successful write of a checkpoint to storage took, until it counted as stored (parts, manifest, fence check).",
                rows,
                PipelineStats::storageWrite));
        metrics.add(counter(
                "cairn_checkpoint_storage_errors",
                "Failed writes of checkpoints to storage (every failed retry counts).",
                rows,
                PipelineStats::storageErrors));
        metrics.add(gauge(
                "cairn_checkpoint_storage_failing",
                "1 while completed checkpoints are not reaching storage (the job's storageError says why), else 0.",
                null,
                rows,
                p -> p.storageError() == null ? 0 : 1));
        metrics.add(gauge(
                "cairn_checkpoint_last_completed_id",
                "Id of the latest completed checkpoint, -1 if none.",
                null,
                rows,
                PipelineStats::lastCheckpointId));
        metrics.add(gauge(
                "cairn_checkpoint_last_committed_id",
                "Id of the latest committed checkpoint, -1 if none.",
                null,
                rows,
                PipelineStats::lastCommittedId));
        metrics.add(gauge(
                "cairn_checkpoint_last_state_bytes",
                "Task state size of the latest completed checkpoint.",
                Unit.BYTES,
                rows,
                PipelineStats::lastCheckpointBytes));
        metrics.add(counter(
                "cairn_pipeline_restarts",
                "Pipeline restarts (failovers); a takeover by a new master counts one.",
                rows,
                PipelineStats::restarts));
        metrics.add(counter(
                "cairn_pipeline_restores",
                "Times the pipeline was restored from a checkpoint.",
                rows,
                PipelineStats::restores));
        metrics.add(jobState(all.values()));
        CounterSnapshot.Builder records = CounterSnapshot.builder()
                .name("cairn_job_records_committed")
                .help("Records the job's sinks have committed.");
        all.values()
                .forEach(job -> records.dataPoint(CounterDataPointSnapshot.builder()
                        .labels(Labels.of("job_id", job.jobId()))
                        .value(job.recordsCommitted())
                        .build()));
        metrics.add(records.build());
        return new MetricSnapshots(metrics);
    }

    /** One series per state and job, 1 for the job's current state: Prometheus's way with enums. */
    private static GaugeSnapshot jobState(Iterable<JobStatus> all) {
        GaugeSnapshot.Builder gauge = GaugeSnapshot.builder()
                .name("cairn_job_state")
                .help("1 for the job's state ("
                        + Arrays.stream(JobState.values()).map(Enum::name).collect(Collectors.joining(", "))
                        + "), 0 for the others.");
        for (JobStatus job : all) {
            for (JobState state : JobState.values()) {
                gauge.dataPoint(GaugeDataPointSnapshot.builder()
                        .labels(Labels.of("job_id", job.jobId(), "state", state.name()))
                        .value(job.state() == state ? 1 : 0)
                        .build());
            }
        }
        return gauge.build();
    }

    private static CounterSnapshot counter(
            String name, String help, List<Row> rows, ToDoubleFunction<PipelineStats> value) {
        CounterSnapshot.Builder counter = CounterSnapshot.builder().name(name).help(help);
        rows.forEach(r -> counter.dataPoint(CounterDataPointSnapshot.builder()
                .labels(r.labels())
                .value(value.applyAsDouble(r.stats()))
                .build()));
        return counter.build();
    }

    private static GaugeSnapshot gauge(
            String name, String help, Unit unit, List<Row> rows, ToDoubleFunction<PipelineStats> value) {
        GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(name).help(help);
        if (unit != null) {
            gauge.unit(unit);
        }
        rows.forEach(r -> gauge.dataPoint(GaugeDataPointSnapshot.builder()
                .labels(r.labels())
                .value(value.applyAsDouble(r.stats()))
                .build()));
        return gauge.build();
    }

    private static HistogramSnapshot histogram(
            String name, String help, List<Row> rows, Function<PipelineStats, LatencyHistogram> value) {
        long[] boundsMillis = LatencyHistogram.boundsMillis();
        double[] bounds = new double[boundsMillis.length + 1];
        for (int i = 0; i < boundsMillis.length; i++) {
            bounds[i] = boundsMillis[i] / 1000.0;
        }
        bounds[boundsMillis.length] = Double.POSITIVE_INFINITY;
        HistogramSnapshot.Builder histogram =
                HistogramSnapshot.builder().name(name).help(help).unit(Unit.SECONDS);
        for (Row r : rows) {
            LatencyHistogram h = Objects.requireNonNullElse(value.apply(r.stats()), LatencyHistogram.EMPTY);
            histogram.dataPoint(HistogramDataPointSnapshot.builder()
                    .labels(r.labels())
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, h.counts()))
                    .sum(h.sumMillis() / 1000.0)
                    .build());
        }
        return histogram.build();
    }
}
