package dev.cairn.checkpoint.demo;

import dev.cairn.checkpoint.api.JobDefinition;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.PipelineDefinition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Job type {@code demo}: the integers 0 to {@code records} - 1, split over {@code parallelism}
 * source subtasks (at most {@code rate} records a second in total when given), through a stateful
 * transform into an exactly-once file sink under {@code output}. Its committed output holds every
 * integer exactly once, whatever fails on the way.
 *
 * <p>Parameters: {@code records}, {@code parallelism}, {@code rate} (0: unlimited), {@code
 * output}; for fault tests, applied in the first execution attempt only: {@code
 * fault.stall-checkpoint} with {@code fault.stall-millis} (the transform stalls taking that
 * checkpoint), {@code fault.fail-at-record} (the transform throws on that record).
 */
public final class DemoJob implements JobDefinition {
    public static final String TYPE = "demo";
    public static final String RECORDS = "records";
    public static final String PARALLELISM = "parallelism";
    public static final String RATE = "rate";
    public static final String OUTPUT = "output";
    public static final String STALL_CHECKPOINT = "fault.stall-checkpoint";
    public static final String STALL_MILLIS = "fault.stall-millis";
    public static final String FAIL_AT_RECORD = "fault.fail-at-record";

    /** Faults to inject; none unless asked for, and only in the first attempt. */
    record Faults(long stallCheckpoint, long stallMillis, long failAtRecord) {
        static final Faults NONE = new Faults(-1, 0, -1);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> validate(JobSpec spec) {
        List<String> problems = new ArrayList<>();
        positive(spec, RECORDS, 0, problems);
        positive(spec, PARALLELISM, 1, problems);
        positive(spec, RATE, 0, problems);
        if (spec.param(OUTPUT, "").isBlank()) {
            problems.add("output: a directory is required");
        }
        for (String key : spec.params().keySet()) {
            if (!List.of(RECORDS, PARALLELISM, RATE, OUTPUT, STALL_CHECKPOINT, STALL_MILLIS, FAIL_AT_RECORD)
                    .contains(key)) {
                problems.add(key + ": unknown parameter of the demo job");
            }
        }
        return problems;
    }

    private static void positive(JobSpec spec, String key, long min, List<String> problems) {
        try {
            if (spec.longParam(key, min) < min) {
                problems.add(key + ": must be at least " + min + ", was " + spec.param(key, ""));
            }
        } catch (NumberFormatException e) {
            problems.add(key + ": must be a whole number, was \"" + spec.param(key, "") + "\"");
        }
    }

    @Override
    public String fingerprint(JobSpec spec) {
        return "demo records=" + spec.param(RECORDS, "0") + " parallelism=" + spec.param(PARALLELISM, "1") + " output="
                + Path.of(spec.param(OUTPUT, ".")).toAbsolutePath().normalize();
    }

    @Override
    public List<PipelineDefinition> pipelines(JobSpec spec) {
        long records = spec.longParam(RECORDS, 0);
        int parallelism = (int) spec.longParam(PARALLELISM, 1);
        double rate = spec.longParam(RATE, 0);
        Path output = Path.of(spec.param(OUTPUT, ".")).toAbsolutePath().normalize();
        Faults faults = new Faults(
                spec.longParam(STALL_CHECKPOINT, -1),
                spec.longParam(STALL_MILLIS, 0),
                spec.longParam(FAIL_AT_RECORD, -1));
        String jobId = spec.jobId().value();
        return List.of(new PipelineDefinition() {
            @Override
            public String name() {
                return "1";
            }

            @Override
            public int parallelism() {
                return parallelism;
            }

            @Override
            public Shape shape() {
                return new Shape(1, 1);
            }

            @Override
            public SubtaskOperators create(int subtask, int attempt) {
                return new SubtaskOperators(
                        List.of(new IntegerSource(subtask, parallelism, records)),
                        List.of(new CountingTransform(attempt == 1 ? faults : Faults.NONE)),
                        new ExactlyOnceFileSink(output, jobId, name(), subtask, attempt),
                        rate / parallelism);
            }
        });
    }
}
