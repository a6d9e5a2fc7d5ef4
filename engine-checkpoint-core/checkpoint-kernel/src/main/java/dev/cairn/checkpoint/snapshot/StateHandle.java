package dev.cairn.checkpoint.snapshot;

import java.util.Arrays;
import java.util.Objects;

/**
 * Where a task's state is, when it is too large to travel in its acknowledgement: a <em>part</em>
 * ({@link PartCodec}) that the task's member put into the cluster's memory itself, cut into chunks.
 * A checkpoint that holds handles is a <em>manifest</em> (snapshot format version 2): small, whatever
 * the state, and the bytes never pass through the master.
 *
 * @param size the part's bytes in all (header, identity and state)
 * @param crc32c the CRC32C of the part's payload, as its header says: what a reader checks
 * @param chunkSize bytes per chunk; every chunk but the last is exactly this long
 * @param placements for each chunk in order, where the memory put it (in the cluster, the partition
 *     key of a partition the writing member owned); its length is the number of chunks
 * @param writer the member that wrote it, a hint for who stores it; may be empty
 */
public record StateHandle(long size, int crc32c, int chunkSize, int[] placements, String writer) {

    public StateHandle {
        Objects.requireNonNull(placements, "placements");
        Objects.requireNonNull(writer, "writer");
        if (size < PartCodec.HEADER_SIZE || chunkSize <= 0) {
            throw new IllegalArgumentException("a part of " + size + " bytes in chunks of " + chunkSize);
        }
        if (placements.length != chunks(size, chunkSize)) {
            throw new IllegalArgumentException("a part of " + size + " bytes in chunks of " + chunkSize + " has "
                    + chunks(size, chunkSize) + " chunks, not " + placements.length);
        }
    }

    /** The number of chunks a part of {@code size} bytes is cut into. */
    public static int chunks(long size, int chunkSize) {
        long n = (size + chunkSize - 1) / chunkSize;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(size + " bytes in chunks of " + chunkSize + " are too many chunks");
        }
        return (int) n;
    }

    public int chunkCount() {
        return placements.length;
    }

    /** The length of chunk {@code n}. */
    public int chunkLength(int n) {
        Objects.checkIndex(n, placements.length);
        return (int) Math.min(chunkSize, size - (long) n * chunkSize);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StateHandle h
                && size == h.size
                && crc32c == h.crc32c
                && chunkSize == h.chunkSize
                && Arrays.equals(placements, h.placements)
                && writer.equals(h.writer);
    }

    @Override
    public int hashCode() {
        return Objects.hash(size, crc32c, chunkSize, Arrays.hashCode(placements), writer);
    }

    @Override
    public String toString() {
        return String.format("part of %d bytes in %d chunks, crc %08x", size, placements.length, crc32c);
    }
}
