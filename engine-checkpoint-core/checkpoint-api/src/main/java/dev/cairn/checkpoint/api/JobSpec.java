package dev.cairn.checkpoint.api;

import dev.cairn.checkpoint.storage.api.JobId;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a user submits: a job id, the type of job ({@link JobDefinition#type()}) and its
 * parameters. Plain data, so that it can be stored and sent to any member, which builds the job's
 * operators from it with the {@link JobDefinition} of that type.
 */
public record JobSpec(JobId jobId, String type, Map<String, String> params) {

    public JobSpec {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(type, "type");
        params = Collections.unmodifiableMap(new TreeMap<>(params));
    }

    public String param(String key, String fallback) {
        return params.getOrDefault(key, fallback);
    }

    public long longParam(String key, long fallback) {
        String value = params.get(key);
        return value == null ? fallback : Long.parseLong(value);
    }
}
