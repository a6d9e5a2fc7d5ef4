package dev.cairn.checkpoint.storage.api;

import java.util.regex.Pattern;

/**
 * The one rule for names that become path segments in a store: job ids and pipeline names.
 *
 * <p>A name is 1 to {@value #MAX_LENGTH} characters of {@code A-Z a-z 0-9 . _ -} and does not
 * start with a dot. That keeps every name a single, portable path segment on every backend
 * (POSIX, HDFS, S3 keys, OSS keys, Windows): no separator, no {@code .} or {@code ..}, no
 * hidden or temporary-looking entries, no NUL, no case of a name too long for a file system.
 */
final class Names {
    static final int MAX_LENGTH = 128;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");

    private Names() {}

    static String check(String what, String name) {
        if (name == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        if (name.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(
                    what + " must be at most " + MAX_LENGTH + " characters, was " + name.length() + " characters");
        }
        if (!VALID.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    what + " must be letters, digits, '.', '_' or '-' and not start with" + " '.', was " + quote(name));
        }
        return name;
    }

    /** Quotes a rejected name for a message, escaping control characters such as NUL. */
    static String quote(String name) {
        StringBuilder sb = new StringBuilder(name.length() + 2).append('"');
        name.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.append('"').toString();
    }
}
