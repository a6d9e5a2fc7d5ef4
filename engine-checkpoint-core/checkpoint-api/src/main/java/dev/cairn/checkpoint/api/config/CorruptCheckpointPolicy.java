package dev.cairn.checkpoint.api.config;

import java.util.Locale;

/**
 * What a restore does when the newest checkpoint cannot be used (it fails its checksum or cannot
 * be decoded): {@code seatunnel.engine.checkpoint.corrupt-checkpoint}. Sinks may already have
 * committed that checkpoint's transactions, and nothing can undo a commit: restoring an older
 * checkpoint replays, and commits again, what was committed between the two.
 */
public enum CorruptCheckpointPolicy {
    /**
     * Restore the newest usable older checkpoint, and say in the job record and the log which
     * checkpoint was restored and which ids' output may repeat (Cairn's and SeaTunnel's way).
     */
    FALL_BACK,
    /**
     * Fail the job instead, naming the unusable checkpoint, so that nothing repeats until a person
     * decides (Flink's way): restore an older one with {@code --from-checkpoint ID} on purpose.
     */
    FAIL;

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
