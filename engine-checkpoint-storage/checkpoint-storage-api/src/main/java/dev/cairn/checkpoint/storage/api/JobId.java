package dev.cairn.checkpoint.storage.api;

/**
 * The id of a job. Valid by construction: 1 to 128 characters of {@code A-Z a-z 0-9 . _ -}, not
 * starting with a dot, so it is always exactly one path segment under the storage namespace.
 *
 * @param value the id as text
 */
public record JobId(String value) implements Comparable<JobId> {

    /**
     * Checks the id.
     *
     * @throws IllegalArgumentException if {@code value} could leave the namespace or is not portable
     */
    public JobId {
        Names.check("job id", value);
    }

    public static JobId of(String value) {
        return new JobId(value);
    }

    @Override
    public int compareTo(JobId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
