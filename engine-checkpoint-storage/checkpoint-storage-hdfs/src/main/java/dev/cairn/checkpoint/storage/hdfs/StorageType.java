package dev.cairn.checkpoint.storage.hdfs;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The backends of the {@code hdfs} plugin, chosen by {@code plugin-config.storage.type}. */
enum StorageType {
    /** The local disk ({@code file:///}), through a raw local file system without checksum sidecars. */
    LOCAL(true),
    /**
     * Any Hadoop-compatible file system named by {@code fs.defaultFS}: HDFS, HDFS HA, viewfs over
     * HDFS, file (each tested by a contract test).
     */
    HDFS(true),
    /** Amazon S3 or an S3-compatible store, through s3a. */
    S3(false),
    /** Aliyun OSS, through hadoop-aliyun. */
    OSS(false);

    /** Whether the backend renames atomically (file systems) or uploads objects atomically. */
    final boolean renames;

    StorageType(boolean renames) {
        this.renames = renames;
    }

    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<StorageType> parse(String value) {
        return Arrays.stream(values())
                .filter(t -> t.id().equals(value.trim().toLowerCase(Locale.ROOT)))
                .findFirst();
    }

    static String allIds() {
        return Arrays.stream(values()).map(StorageType::id).collect(Collectors.joining(", "));
    }
}
