package dev.cairn.checkpoint.storage.api;

import java.util.Collection;
import java.util.Objects;

/**
 * One thing wrong with a configuration: the key (a path relative to the section being checked)
 * and what is wrong with it, ending with the offending value where there is one.
 *
 * @param key the key, e.g. {@code "fs.defaultFS"}
 * @param message what is wrong, e.g. {@code "must be an hdfs:// URI, was \"file:///\""}
 */
public record ConfigProblem(String key, String message) {

    public ConfigProblem {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
    }

    /**
     * A problem whose message ends with the offending value, quoted, or {@code ******} when the
     * key names a secret ({@link SecretKeys#isSecret}).
     */
    public static ConfigProblem of(String key, String message, String value) {
        return new ConfigProblem(key, message + ", was " + SecretKeys.displayValue(key, value));
    }

    /** A key the section does not know, with a did-you-mean when one of {@code known} is close. */
    public static ConfigProblem unknownKey(String key, Collection<String> known) {
        return new ConfigProblem(key, "unknown key" + DidYouMean.hint(key, known));
    }

    /** A required key that is missing. */
    public static ConfigProblem missing(String key, String why) {
        return new ConfigProblem(key, "is required " + why);
    }

    @Override
    public String toString() {
        return key + ": " + message;
    }
}
