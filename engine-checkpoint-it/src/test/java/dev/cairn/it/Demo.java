package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.demo.DemoJob;
import dev.cairn.checkpoint.demo.DemoOutput;
import dev.cairn.checkpoint.storage.api.JobId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The demo job as the integration tests run it. */
final class Demo {
    private Demo() {}

    static JobSpec job(String id, long records, int parallelism, long rate, Path output, Map<String, String> extra) {
        Map<String, String> params = new HashMap<>(extra);
        params.put(DemoJob.RECORDS, Long.toString(records));
        params.put(DemoJob.PARALLELISM, Integer.toString(parallelism));
        params.put(DemoJob.RATE, Long.toString(rate));
        params.put(DemoJob.OUTPUT, output.toString());
        return new JobSpec(JobId.of(id), DemoJob.TYPE, params);
    }

    /** The demo job with {@link FaultyDemoJob}'s fault parameters. */
    static JobSpec faultyJob(
            String id, long records, int parallelism, long rate, Path output, Map<String, String> faults) {
        JobSpec demo = job(id, records, parallelism, rate, output, faults);
        return new JobSpec(demo.jobId(), FaultyDemoJob.TYPE, demo.params());
    }

    static JobSpec job(String id, long records, int parallelism, long rate, Path output) {
        return job(id, records, parallelism, rate, output, Map.of());
    }

    static DemoOutput assertExactlyOnce(Path output, long records) throws IOException {
        DemoOutput check = DemoOutput.check(output, records);
        assertTrue(check.exactlyOnce(), check.toString());
        return check;
    }
}
