package dev.cairn.checkpoint.storage.api;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The on-storage layout shared by the file-based plugins ({@code hdfs} on every backend, {@code
 * localfile}), documented once, here, next to its constants. A third-party plugin over a file
 * system or an object store may use it too.
 *
 * <pre>
 * {namespace}/                                    the configured root; nothing is written above it
 *   {jobId}/                                      one directory per job ({@link JobId} rules)
 *     {pipeline}/                                 one directory per pipeline ({@link PipelineKey} rules)
 *       0000000000000000009.ckpt                  one file per checkpoint: the id, zero-padded to 19
 *                                                 digits (all of a long), so names sort like ids and
 *                                                 "latest" is the highest id, never a file time
 *       .0000000000000000010.ckpt.{uuid}.tmp      a file system store in progress: written, synced,
 *                                                 then renamed over the final name; never listed
 * </pre>
 *
 * Savepoints of pipeline {@code P} live beside its checkpoints, as pipeline {@code
 * P.savepoints} ({@link #savepointsOf}): retention of {@code P} never reaches them, and they share
 * its id sequence. A pipeline's own name never ends in {@value #SAVEPOINTS_SUFFIX}.
 *
 * <p>The engine's checkpoint id lease of pipeline {@code P} lives beside it too, as pipeline {@code
 * P.ids} ({@link #idsOf}): one small object, not a checkpoint, whose id is the highest checkpoint
 * id the engine may have issued for {@code P}. A cluster restarted from storage issues ids above
 * it only. A pipeline's own name never ends in {@value #IDS_SUFFIX}.
 *
 * <p>A checkpoint whose task states are too large to pass through one member (a <em>manifest</em>)
 * keeps each large state as a <em>part</em> beside it, in pipeline {@code P.parts} ({@link
 * #partsOf}), savepoints' parts in {@code P.savepoints.parts}. A part is stored like a checkpoint,
 * under the id {@link #partId}{@code (checkpoint, n)} = checkpoint &times; {@value
 * #PARTS_PER_CHECKPOINT} + n for the manifest's n-th task state, so a storage needs nothing new to
 * keep parts and a manifest owns exactly the parts under its own id. Several members store one
 * job's parts at once. A pipeline's own name never ends in {@value #PARTS_SUFFIX}.
 *
 * <p>Object stores (S3, OSS) write the final name in one upload and never rename, so they have no
 * temporary files. Listings recognise checkpoints by {@link #parseFileName exact name} only:
 * temporary files, {@code .crc} sidecars and anything foreign are ignored.
 */
public final class FileLayout {
    /** The extension of a checkpoint file. */
    public static final String SUFFIX = ".ckpt";
    /** Zero-padded width of the id in a file name: the digits of {@link Long#MAX_VALUE}. */
    public static final int ID_WIDTH = 19;

    /** Appended to a pipeline's name to name where its savepoints are kept. */
    public static final String SAVEPOINTS_SUFFIX = ".savepoints";

    /** Appended to a pipeline's name to name where its checkpoint id lease is kept. */
    public static final String IDS_SUFFIX = ".ids";

    /** Appended to a pipeline's name to name where the parts of its checkpoints are kept. */
    public static final String PARTS_SUFFIX = ".parts";

    /** Part ids of one checkpoint: the most task states a manifest can name. */
    public static final int PARTS_PER_CHECKPOINT = 1 << 16;

    /**
     * The longest name a pipeline may have: its savepoints' parts, {@code P.savepoints.parts}, must
     * still be a valid pipeline name.
     */
    public static final int MAX_PIPELINE_NAME = Names.MAX_LENGTH - SAVEPOINTS_SUFFIX.length() - PARTS_SUFFIX.length();

    private static final String TEMP_SUFFIX = ".tmp";
    private static final Pattern FILE_NAME = Pattern.compile("(\\d{" + ID_WIDTH + "})" + Pattern.quote(SUFFIX));
    private static final Pattern TEMP_NAME = Pattern.compile(
            "\\.(\\d{" + ID_WIDTH + "}" + Pattern.quote(SUFFIX) + ")\\.[0-9a-f-]{36}" + Pattern.quote(TEMP_SUFFIX));

    private FileLayout() {}

    /** {@code 0000000000000000009.ckpt} for id 9. */
    public static String fileName(CheckpointId id) {
        String digits = Long.toString(id.value());
        return "0".repeat(ID_WIDTH - digits.length()) + digits + SUFFIX;
    }

    /** A fresh temporary name beside {@link #fileName}: hidden, unique, never a checkpoint name. */
    public static String tempFileName(CheckpointId id) {
        return "." + fileName(id) + "." + UUID.randomUUID() + TEMP_SUFFIX;
    }

    /** The checkpoint id a file name stands for, or empty for any other name. */
    public static Optional<CheckpointId> parseFileName(String name) {
        Matcher m = FILE_NAME.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(CheckpointId.of(Long.parseLong(m.group(1))));
        } catch (NumberFormatException e) { // 19 digits above Long.MAX_VALUE
            return Optional.empty();
        }
    }

    /**
     * The checkpoint id whose unfinished store a temporary file name stands for, or empty for any
     * other name.
     */
    public static Optional<CheckpointId> parseTempFileName(String name) {
        Matcher m = TEMP_NAME.matcher(name);
        return m.matches() ? parseFileName(m.group(1)) : Optional.empty();
    }

    /** Where the savepoints of {@code pipeline} are kept. */
    public static PipelineKey savepointsOf(PipelineKey pipeline) {
        return new PipelineKey(pipeline.jobId(), pipeline.pipeline() + SAVEPOINTS_SUFFIX);
    }

    /** Whether {@code pipeline} is where some pipeline's savepoints are kept. */
    public static boolean holdsSavepoints(PipelineKey pipeline) {
        return pipeline.pipeline().endsWith(SAVEPOINTS_SUFFIX);
    }

    /** Where the checkpoint id lease of {@code pipeline} is kept: not checkpoints. */
    public static PipelineKey idsOf(PipelineKey pipeline) {
        return new PipelineKey(pipeline.jobId(), pipeline.pipeline() + IDS_SUFFIX);
    }

    /** Whether {@code pipeline} is where some pipeline's checkpoint id lease is kept. */
    public static boolean holdsIds(PipelineKey pipeline) {
        return pipeline.pipeline().endsWith(IDS_SUFFIX);
    }

    /** Where the parts of the checkpoints of {@code pipeline} (checkpoints or savepoints) are kept. */
    public static PipelineKey partsOf(PipelineKey pipeline) {
        return new PipelineKey(pipeline.jobId(), pipeline.pipeline() + PARTS_SUFFIX);
    }

    /** Whether {@code pipeline} is where some pipeline's parts are kept. */
    public static boolean holdsParts(PipelineKey pipeline) {
        return pipeline.pipeline().endsWith(PARTS_SUFFIX);
    }

    /**
     * The id under which the {@code ordinal}-th task state of checkpoint {@code checkpoint} is kept
     * in {@link #partsOf}.
     *
     * @throws IllegalArgumentException for an ordinal outside {@code [0, PARTS_PER_CHECKPOINT)} or a
     *     checkpoint id too large to have parts (above 2^47)
     */
    public static CheckpointId partId(CheckpointId checkpoint, int ordinal) {
        if (ordinal < 0 || ordinal >= PARTS_PER_CHECKPOINT) {
            throw new IllegalArgumentException(
                    "part " + ordinal + " of a checkpoint, at most " + (PARTS_PER_CHECKPOINT - 1));
        }
        try {
            return CheckpointId.of(
                    Math.addExact(Math.multiplyExact(checkpoint.value(), PARTS_PER_CHECKPOINT), ordinal));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("checkpoint " + checkpoint + " is too large an id to have parts");
        }
    }

    /** The checkpoint a part id belongs to. */
    public static CheckpointId checkpointOfPart(CheckpointId part) {
        return CheckpointId.of(part.value() / PARTS_PER_CHECKPOINT);
    }

    /** Which of its checkpoint's task states a part id stands for. */
    public static int ordinalOfPart(CheckpointId part) {
        return (int) (part.value() % PARTS_PER_CHECKPOINT);
    }

    /**
     * Why {@code name} cannot be a pipeline's own name, or empty if it can: the names the layout keeps
     * for savepoints, leases and parts, and names too long to have them.
     */
    public static Optional<String> reservedPipelineName(String name) {
        for (String suffix : new String[] {SAVEPOINTS_SUFFIX, IDS_SUFFIX, PARTS_SUFFIX}) {
            if (name.endsWith(suffix)) {
                return Optional.of("pipeline name '" + name + "' ends in '" + suffix
                        + "', which the storage layout keeps for its own use");
            }
        }
        if (name.length() > MAX_PIPELINE_NAME) {
            return Optional.of("pipeline name '" + name.substring(0, 16) + "...' is " + name.length()
                    + " characters long; at most " + MAX_PIPELINE_NAME + " are allowed");
        }
        return Optional.empty();
    }

    /** The job id a directory name stands for, or empty if the name is not a valid job id. */
    public static Optional<JobId> parseJobDirectory(String name) {
        try {
            return Optional.of(JobId.of(name));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The pipeline a directory name under a job stands for, or empty if the name is not valid. */
    public static Optional<PipelineKey> parsePipelineDirectory(JobId job, String name) {
        try {
            return Optional.of(new PipelineKey(job, name));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
