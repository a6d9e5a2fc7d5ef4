package dev.cairn.checkpoint.api;

/**
 * Why a job ended {@link JobState#FAILED}.
 *
 * @param message for people: the last cause, naming the task, checkpoint or parameter
 */
public record JobFailure(Reason reason, String message) {

    public enum Reason {
        /** Its pipeline kept failing: more restarts in a row than the restart policy allows. */
        TOO_MANY_RESTARTS,
        /** The checkpoint to restore from was taken by another job definition. */
        INCOMPATIBLE_CHECKPOINT,
        /** The savepoint or checkpoint asked for ({@code --from-...}) is missing or unusable. */
        RESTORE_POINT_UNUSABLE,
        /** The newest checkpoint is unusable and {@code corrupt-checkpoint} is {@code fail}. */
        CORRUPT_CHECKPOINT,
        /** The job could not be started (its pipelines could not be built). */
        CANNOT_START
    }
}
