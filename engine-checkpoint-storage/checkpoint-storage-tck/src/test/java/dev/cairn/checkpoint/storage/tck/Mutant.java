package dev.cairn.checkpoint.storage.tck;

import java.util.Set;

/**
 * The plugins {@link MutantStorage} can be: one correct, the others each broken in one way that
 * real stores have been broken. Each names the contract cases that must catch it; the suite may
 * fail it in other cases too.
 */
enum Mutant {
    CORRECT("temporary file, rename over the target, exact names", Set.of()),

    REPLACE_BY_DELETE_THEN_WRITE(
            "a replace deletes the old file, then writes the new one in its place",
            Set.of(Cases.CONCURRENT_REPLACE, Cases.KILLED_WRITER)),

    REPLACE_BY_DELETE_THEN_RENAME(
            "a replace writes a temporary file, deletes the old one (and syncs the directory), then renames",
            Set.of(Cases.CONCURRENT_REPLACE)),

    NEW_IDS_WRITTEN_IN_PLACE(
            "a new id is written straight under its final name (deleted if the store throws); replaces use a temporary file",
            Set.of(Cases.KILLED_WRITER)),

    TEMP_FILES_LISTED(
            "list finds ids anywhere in a name, so a temporary file left by a crash is listed",
            Set.of(Cases.KILLED_WRITER)),

    LOAD_BY_RANGES(
            "load takes the size, then reads 1 MiB ranges, opening the file anew for each (as ranged GETs do)",
            Set.of(Cases.CONCURRENT_REPLACE)),

    JOB_DELETE_BY_PREFIX("deleteJob deletes every job whose name starts with the job id", Set.of(Cases.PREFIX_JOBS)),

    PIPELINE_DELETE_BY_PREFIX(
            "delete removes the id from every pipeline whose name starts with the pipeline's",
            Set.of(Cases.PREFIX_PIPELINES)),

    ID_DELETE_BY_PREFIX(
            "delete removes every id whose digits start with the id's (a prefix delete of unpadded keys)",
            Set.of(Cases.PREFIX_IDS)),

    INDEX_PER_INSTANCE(
            "list answers from an index of the ids this instance stored, read from the directory once",
            Set.of(Cases.SEVERAL_WRITERS)),

    LIST_ONE_PAGE("list returns the first 1,000 names only (one object-store page)", Set.of(Cases.LONG_LISTING));

    /** What is wrong with it. */
    final String flaw;
    /** The contract cases (method names) that must fail for it. */
    final Set<String> caughtBy;

    Mutant(String flaw, Set<String> caughtBy) {
        this.flaw = flaw;
        this.caughtBy = caughtBy;
    }

    /** The contract's cases that the mutants are meant for: method names of CheckpointStorageContract. */
    static final class Cases {
        static final String CONCURRENT_REPLACE = "replace_isSeenWholeOldOrWholeNew_byConcurrentReaders";
        static final String KILLED_WRITER = "writerKilledMidStore_leavesThePreviousCheckpointOrNone";
        static final String PREFIX_JOBS = "deletes_leaveJobsWhoseNamesShareAPrefix";
        static final String PREFIX_PIPELINES = "delete_leavesPipelinesWhoseNamesShareAPrefix";
        static final String PREFIX_IDS = "delete_leavesIdsWhoseDigitsShareAPrefix";
        static final String SEVERAL_WRITERS = "twoInstances_storingDifferentIdsOfOnePipeline_atOnce_loseNothing";
        static final String LONG_LISTING = "list_returnsEveryId_pastOneObjectStorePage";

        private Cases() {}
    }
}
