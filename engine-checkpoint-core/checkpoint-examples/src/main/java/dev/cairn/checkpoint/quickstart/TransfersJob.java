package dev.cairn.checkpoint.quickstart;

import dev.cairn.checkpoint.api.JobDefinition;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.PipelineDefinition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

// tag::job[]
/**
 * Job type {@code transfers}: reads {@code count} transfers over {@code parallelism} subtasks (at
 * most {@code rate} a second in all, if given) and books each into the ledger at {@code ledger}
 * exactly once, whatever fails.
 */
public final class TransfersJob implements JobDefinition {
    public static final String TYPE = "transfers";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> validate(JobSpec spec) {
        List<String> problems = new ArrayList<>();
        if (spec.param("ledger", "").isBlank()) {
            problems.add("ledger: the ledger's directory is required");
        }
        try {
            if (spec.longParam("count", -1) < 0) {
                problems.add("count: how many transfers, 0 or more, is required");
            }
            if (spec.longParam("parallelism", 2) < 1) {
                problems.add("parallelism: must be at least 1");
            }
            if (spec.longParam("rate", 0) < 0) {
                problems.add("rate: transfers a second, 0 (no limit) or more");
            }
        } catch (NumberFormatException e) {
            problems.add("count, parallelism and rate: must be whole numbers");
        }
        return problems;
    }

    /** What must not change for the job to resume from its checkpoints. */
    @Override
    public String fingerprint(JobSpec spec) {
        return "transfers count=" + spec.param("count", "") + " parallelism=" + spec.param("parallelism", "2");
    }

    @Override
    public List<PipelineDefinition> pipelines(JobSpec spec) {
        long count = spec.longParam("count", 0);
        int parallelism = (int) spec.longParam("parallelism", 2);
        double rate = spec.longParam("rate", 0);
        Path ledger = Path.of(spec.param("ledger", "."));
        String job = spec.jobId().value();
        return List.of(new PipelineDefinition() {
            @Override
            public String name() {
                return "book";
            }

            @Override
            public int parallelism() {
                return parallelism;
            }

            @Override
            public Shape shape() {
                return new Shape(1, 0); // a source straight into the sink
            }

            @Override
            public SubtaskOperators create(int subtask, int attempt) {
                return SubtaskOperators.of(
                        new TransferSource(subtask, parallelism, count, rate / parallelism),
                        new LedgerSink(ledger, job + "-" + subtask));
            }
        });
    }
}
// end::job[]
