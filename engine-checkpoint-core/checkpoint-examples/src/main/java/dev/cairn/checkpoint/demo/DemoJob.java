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
 * output}. On a member started with the system property {@value #OUTPUT_ROOT} (as {@code bin/cairn
 * member} starts one), {@code output} must lie under that directory: a client cannot make a member
 * write wherever it likes.
 */
public final class DemoJob implements JobDefinition {
    public static final String TYPE = "demo";
    public static final String RECORDS = "records";
    public static final String PARALLELISM = "parallelism";
    public static final String RATE = "rate";
    public static final String OUTPUT = "output";
    /** A system property: the directory every demo output of this process must lie under. */
    public static final String OUTPUT_ROOT = "cairn.demo.output-root";

    private static final List<String> PARAMETERS = List.of(RECORDS, PARALLELISM, RATE, OUTPUT);

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
        String output = spec.param(OUTPUT, "");
        if (output.isBlank()) {
            problems.add("output: a directory is required");
        } else {
            String root = System.getProperty(OUTPUT_ROOT);
            if (root != null) {
                Path rootPath = Path.of(root).toAbsolutePath().normalize();
                if (!Path.of(output).toAbsolutePath().normalize().startsWith(rootPath)) {
                    problems.add("output: must lie under " + rootPath + " on these members");
                }
            }
        }
        for (String key : spec.params().keySet()) {
            if (!PARAMETERS.contains(key)) {
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
                return SubtaskOperators.of(
                        new IntegerSource(subtask, parallelism, records, rate / parallelism),
                        new CountingTransform(),
                        new ExactlyOnceFileSink(output, jobId, name(), subtask, attempt));
            }
        });
    }
}
