package dev.cairn.checkpoint.api;

import java.util.Optional;

/**
 * How a job ended.
 *
 * @param state {@link JobState#FINISHED}, {@link JobState#FAILED} or {@link JobState#CANCELLED}
 * @param failure why it failed; empty unless it did
 * @param status its last status: counters, history, what it restored from
 */
public record JobResult(JobState state, Optional<JobFailure> failure, JobStatus status) {

    public boolean finished() {
        return state == JobState.FINISHED;
    }
}
