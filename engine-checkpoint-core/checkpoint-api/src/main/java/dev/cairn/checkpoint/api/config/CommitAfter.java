package dev.cairn.checkpoint.api.config;

import java.util.Locale;

/**
 * When sinks commit a checkpoint's transactions ({@code seatunnel.engine.checkpoint.commit-after}).
 * Either way a checkpoint is <em>completed</em> once it is in the cluster's memory with its
 * backups, and that is where a pipeline restarts from after a task failure, a member loss or a
 * master failover; the choice is what <em>committed</em> means.
 */
public enum CommitAfter {
    /**
     * Sinks commit a checkpoint once it is in the persistent storage: exactly-once for every
     * two-phase-commit sink, across any failure, a full cluster restart included. Commits follow
     * the storage, about one write behind the completion.
     */
    STORAGE,
    /**
     * Sinks commit a checkpoint as soon as it is completed in the cluster's memory: commits come
     * sooner, but are exactly-once only while at most {@code backup-count} members are lost at a
     * time. After a full cluster restart the job resumes from the newest stored checkpoint, which
     * may be older than what sinks committed: at-least-once, unless the sink itself drops replays.
     */
    CLUSTER;

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
