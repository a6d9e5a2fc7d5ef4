package dev.cairn.checkpoint.cluster.internal.rpc;

import dev.cairn.checkpoint.api.JobStatus;

/** A job's status as the cluster keeps it, in the {@code cairn.jobs} map: encoded with the messages' Kryo. */
public final class JobRecords {
    private JobRecords() {}

    public static byte[] encode(JobStatus status) {
        return MessageKryo.encode(status);
    }

    /** What {@link #encode} wrote; null for null. */
    public static JobStatus decode(byte[] bytes) {
        return bytes == null ? null : (JobStatus) MessageKryo.decode(bytes);
    }
}
