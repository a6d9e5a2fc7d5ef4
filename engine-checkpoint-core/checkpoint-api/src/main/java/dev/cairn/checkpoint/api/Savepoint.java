package dev.cairn.checkpoint.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A savepoint of every pipeline of a job, in storage.
 *
 * @param ids each pipeline's savepoint id, by pipeline name, in the job's pipeline order: restore it with {@code
 *     --from-savepoint ID} (or {@link RestoreRequest})
 * @param jobStopped whether the job was cancelled after it, as asked
 */
public record Savepoint(Map<String, Long> ids, boolean jobStopped) {
    public Savepoint {
        ids = Collections.unmodifiableMap(new LinkedHashMap<>(ids)); // in the job's pipeline order
    }
}
