package dev.cairn.cli;

import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/**
 * Where one checkpoint is stored: the storage pipeline ({@code P}, or {@code P.savepoints} for the
 * savepoints of {@code P}, see {@link FileLayout#savepointsOf}) and the id. Also the parsing of the
 * names an operator types, which ends the command with status 2 when one is not a valid name.
 *
 * @param location the pipeline as stored
 * @param id the checkpoint id
 */
record StoredCheckpoint(PipelineKey location, CheckpointId id) {

    /** Job, then pipeline as shown, then id: savepoints interleave with checkpoints by id. */
    static final Comparator<StoredCheckpoint> DISPLAY_ORDER = Comparator.comparing(StoredCheckpoint::job)
            .thenComparing(StoredCheckpoint::pipeline)
            .thenComparing(StoredCheckpoint::id)
            .thenComparing(StoredCheckpoint::type);

    JobId job() {
        return location.jobId();
    }

    /** The pipeline it belongs to: {@code P} for a checkpoint in {@code P} or in {@code P.savepoints}. */
    String pipeline() {
        String name = location.pipeline();
        return savepoint() ? name.substring(0, name.length() - FileLayout.SAVEPOINTS_SUFFIX.length()) : name;
    }

    boolean savepoint() {
        return FileLayout.holdsSavepoints(location);
    }

    /** Decided by where it is stored, as retention decides it. */
    CheckpointType type() {
        return savepoint() ? CheckpointType.SAVEPOINT : CheckpointType.CHECKPOINT;
    }

    /**
     * The same id among the savepoints of this pipeline, for a checkpoint that is not a savepoint
     * itself (and whose pipeline name leaves room for the suffix).
     */
    Optional<StoredCheckpoint> savepointTwin() {
        if (savepoint()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new StoredCheckpoint(FileLayout.savepointsOf(location), id));
        } catch (IllegalArgumentException e) { // the name would be too long: no such pipeline
            return Optional.empty();
        }
    }

    /**
     * Why a decoded blob is not the checkpoint that belongs here, or empty if it is. It must name
     * this job, id and pipeline ({@code P} also for a savepoint stored in {@code P.savepoints}, as
     * recovery expects) and be of the type kept here: a savepoint among the checkpoints would be
     * pruned, a checkpoint among the savepoints cannot be restored as a savepoint.
     */
    Optional<String> misplacement(CompletedCheckpoint checkpoint) {
        if (!checkpoint.id().equals(id) || !checkpoint.pipeline().equals(new PipelineKey(job(), pipeline()))) {
            return Optional.of("it holds checkpoint " + checkpoint.id() + " of " + checkpoint.pipeline());
        }
        if (checkpoint.type() != type()) {
            return Optional.of("it holds a " + checkpoint.type().name().toLowerCase(Locale.ROOT) + ", stored among the "
                    + type().name().toLowerCase(Locale.ROOT) + "s");
        }
        return Optional.empty();
    }

    /** {@code job J pipeline P checkpoint C}, or {@code job J pipeline P.savepoints savepoint C}. */
    @Override
    public String toString() {
        return "job " + job() + " pipeline " + location.pipeline() + (savepoint() ? " savepoint " : " checkpoint ")
                + id;
    }

    // ---- names typed by the operator --------------------------------------------------------

    static JobId jobArgument(String value) {
        try {
            return JobId.of(value);
        } catch (IllegalArgumentException e) {
            throw new CliException(Cairn.EXIT_INVALID, e.getMessage());
        }
    }

    static PipelineKey pipelineArgument(JobId job, String value) {
        try {
            return new PipelineKey(job, value);
        } catch (IllegalArgumentException e) {
            throw new CliException(Cairn.EXIT_INVALID, e.getMessage());
        }
    }

    static CheckpointId idArgument(long value) {
        try {
            return CheckpointId.of(value);
        } catch (IllegalArgumentException e) {
            throw new CliException(Cairn.EXIT_INVALID, e.getMessage());
        }
    }
}
