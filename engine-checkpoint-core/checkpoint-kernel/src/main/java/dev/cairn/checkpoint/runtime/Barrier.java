package dev.cairn.checkpoint.runtime;

/**
 * Travels in-band with the records: everything before it belongs to checkpoint {@code id}.
 *
 * @param id the checkpoint
 * @param finalCheckpoint whether it is the pipeline's last (all sources finished)
 */
record Barrier(long id, boolean finalCheckpoint) {}
