package dev.cairn.checkpoint.config;

import dev.cairn.checkpoint.storage.api.DidYouMean;
import dev.cairn.checkpoint.storage.api.SecretKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One mapping of the YAML tree being read, with its full path. Each typed read records the key as
 * known; {@link #finish()} reports every other key as unknown, with a did-you-mean. Problems are
 * collected, never thrown, so that a file's every problem is reported at once.
 */
final class Section {
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final String path;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    private final Set<String> known = new LinkedHashSet<>();
    private final Problems problems;
    private final UnaryOperator<String> env;

    private Section(String path, MappingNode node, Problems problems, UnaryOperator<String> env) {
        this.path = path;
        this.problems = problems;
        this.env = env;
        if (node != null) {
            for (NodeTuple tuple : node.getValue()) {
                String key = tuple.getKeyNode() instanceof ScalarNode s && !isNull(s) ? s.getValue() : null;
                if (key == null || key.isBlank()) {
                    problems.add(path, "keys must be plain names", null, tuple.getKeyNode());
                } else if (entries.putIfAbsent(key, tuple) != null) {
                    problems.add(path(key), "is given twice", null, tuple.getKeyNode());
                }
            }
        }
    }

    /** The document's top mapping; a document that is not a mapping (or empty) reads as empty. */
    static Section root(Node document, Problems problems, UnaryOperator<String> env) {
        if (document != null && !(document instanceof MappingNode) && !isNull(document)) {
            problems.add("(document)", "must be a mapping with the key 'seatunnel'", null, document);
            return new Section("", null, problems, env);
        }
        return new Section("", document instanceof MappingNode m ? m : null, problems, env);
    }

    String path(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        return entries.containsKey(key) && !isNull(entries.get(key).getValueNode());
    }

    /** A nested mapping; absent or null reads as empty. */
    Section section(String key) {
        known.add(key);
        Node value = value(key);
        if (value == null || isNull(value)) {
            return new Section(path(key), null, problems, env);
        }
        if (!(value instanceof MappingNode mapping)) {
            problems.add(path(key), "must be a mapping of keys", display(value), value);
            return new Section(path(key), null, problems, env);
        }
        return new Section(path(key), mapping, problems, env);
    }

    /** A whole number in {@code [min, max]}, or {@code fallback} if absent. */
    long number(String key, long fallback, long min, long max, String what) {
        known.add(key);
        Node value = value(key);
        if (value == null) {
            return fallback;
        }
        String text = scalar(key, value);
        if (text == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(text.strip().replace("_", ""));
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(path(key), "must be " + what, shown(text), value);
        return fallback;
    }

    /** A number from {@code min} to {@code max}, or the word {@code word} (read as {@code wordValue}). */
    long numberOr(String key, String word, long wordValue, long fallback, long min, long max, String what) {
        Node value = value(key);
        if (value instanceof ScalarNode scalar && scalar.getValue().strip().equalsIgnoreCase(word)) {
            known.add(key);
            return wordValue;
        }
        return number(key, fallback, min, max, what);
    }

    /** Reports a problem with {@code key}'s value that only the caller can judge. */
    void problem(String key, String message, Object value) {
        problems.add(path(key), message, String.valueOf(value), value(key));
    }

    boolean bool(String key, boolean fallback) {
        known.add(key);
        Node value = value(key);
        String text = value == null ? null : scalar(key, value);
        if (text == null) {
            return fallback;
        }
        switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                problems.add(path(key), "must be true or false", shown(text), value);
                return fallback;
        }
    }

    <E extends Enum<E>> E choice(String key, Class<E> type, E fallback) {
        known.add(key);
        Node value = value(key);
        String text = value == null ? null : scalar(key, value);
        if (text == null) {
            return fallback;
        }
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            String name = constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
            names.add(name);
            if (name.equals(text.strip().toLowerCase(Locale.ROOT))) {
                return constant;
            }
        }
        problems.add(
                path(key),
                "must be one of " + String.join(", ", names) + DidYouMean.hint(text, names),
                shown(text),
                value);
        return fallback;
    }

    String string(String key, String fallback) {
        known.add(key);
        Node value = value(key);
        String text = value == null ? null : scalar(key, value);
        if (text == null) {
            return fallback;
        }
        if (text.isBlank()) {
            problems.add(path(key), "must not be blank", null, value);
            return fallback;
        }
        return text.strip();
    }

    /**
     * A flat mapping of plain values, kept in file order, values as written ({@code ${ENV}}
     * resolved). A key whose value cannot be read (no value, a list or mapping, an unset or invalid
     * {@code ${NAME}}, a tag) is reported here, added to {@code unreadable} and still kept, with its
     * text as written (empty if it has none): whoever checks the mapping next then sees the key
     * present rather than missing, so "X is required" does not follow the real problem. Such a map
     * is only ever checked, never used: its problems fail the load.
     */
    Map<String, String> flatMap(String key, Set<String> unreadable) {
        Section section = section(key);
        Map<String, String> result = new LinkedHashMap<>();
        section.entries.forEach((k, tuple) -> {
            section.known.add(k);
            Node v = tuple.getValueNode();
            String value = null;
            if (isNull(v)) {
                problems.add(section.path(k), "has no value", null, v);
            } else if (!(v instanceof ScalarNode)) {
                problems.add(section.path(k), "must be a plain value, not a list or a mapping", null, v);
            } else {
                value = section.scalar(k, v);
            }
            if (value == null) {
                unreadable.add(k);
                value = v instanceof ScalarNode scalar && !isNull(v) ? scalar.getValue() : "";
            }
            result.put(k, value);
        });
        return result;
    }

    /** Reports every key of this mapping that no read asked for. */
    void finish() {
        for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
            if (!known.contains(e.getKey())) {
                problems.add(
                        path(e.getKey()),
                        "unknown key" + DidYouMean.hint(e.getKey(), known),
                        null,
                        e.getValue().getKeyNode());
            }
        }
    }

    Problems problems() {
        return problems;
    }

    /** Where {@code key} is written, for a problem's line; null if it is not. */
    Node keyNode(String key) {
        NodeTuple tuple = entries.get(key);
        return tuple == null ? null : tuple.getKeyNode();
    }

    // ------------------------------------------------------------------------------------------

    private Node value(String key) {
        NodeTuple tuple = entries.get(key);
        return tuple == null ? null : tuple.getValueNode();
    }

    /** The scalar's text with {@code ${ENV}} references resolved; null (reported) if unusable. */
    private String scalar(String key, Node value) {
        if (isNull(value)) {
            problems.add(path(key), "has no value", null, value);
            return null;
        }
        if (!(value instanceof ScalarNode scalar)) {
            problems.add(path(key), "must be a plain value, not a list or a mapping", null, value);
            return null;
        }
        boolean secret = SecretKeys.isSecret(key);
        if (!isStandard(scalar.getTag())) {
            // An unquoted value that starts with ! reads as a tag: for a secret, the "tag" is the
            // secret itself (or its start), so it is not shown.
            problems.add(
                    path(key),
                    secret
                            ? "must not carry a YAML tag (not shown: the key holds a secret); quote a value that"
                                    + " starts with !"
                            : "must not carry the YAML tag " + scalar.getTag().getValue(),
                    null,
                    value);
            return null;
        }
        return resolveEnv(path(key), scalar.getValue(), value, secret);
    }

    /**
     * The text with every {@code ${NAME}} replaced. For a {@code secret} key a malformed reference
     * is not shown: what stands between {@code ${} and {@code }} is then likely part of the secret.
     */
    private String resolveEnv(String at, String text, Node node, boolean secret) {
        if (!text.contains("${")) {
            return text;
        }
        StringBuilder out = new StringBuilder();
        int last = 0;
        boolean ok = true;
        // Each ${ up to the next }: found with indexOf, in one pass. (A regex such as
        // \$\{([^}]*)} rescans the rest of the text from every ${ when no } follows: quadratic,
        // over ten seconds for a value of a few hundred thousand ${.)
        for (int start = text.indexOf("${"); start >= 0; start = text.indexOf("${", last)) {
            int end = text.indexOf('}', start + 2);
            if (end < 0) {
                break;
            }
            out.append(text, last, start);
            String name = text.substring(start + 2, end);
            if (!ENV_NAME.matcher(name).matches()) {
                problems.add(
                        at,
                        secret
                                ? "refers to an invalid environment variable name (not shown: the key holds a"
                                        + " secret)"
                                : "refers to an invalid environment variable name ${" + name + "}",
                        null,
                        node);
                ok = false;
            } else {
                String resolved = env.apply(name);
                if (resolved == null) {
                    problems.add(at, "environment variable " + name + " is not set", null, node);
                    ok = false;
                } else {
                    out.append(resolved);
                }
            }
            last = end + 1;
        }
        if (text.indexOf("${", last) >= 0) {
            problems.add(at, "has an unterminated ${ (write ${NAME})", null, node);
            return null;
        }
        out.append(text.substring(last));
        return ok ? out.toString() : null;
    }

    private static boolean isStandard(Tag tag) {
        return tag.equals(Tag.STR)
                || tag.equals(Tag.INT)
                || tag.equals(Tag.BOOL)
                || tag.equals(Tag.FLOAT)
                || tag.equals(Tag.NULL)
                || tag.equals(Tag.TIMESTAMP);
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
    }

    /** How a rejected scalar is shown: numbers bare, anything else quoted. */
    static String shown(String text) {
        return text.strip().matches("-?[0-9][0-9_]*") ? text.strip() : '"' + text + '"';
    }

    private static String display(Node value) {
        return value instanceof ScalarNode s ? shown(s.getValue()) : null;
    }

    /**
     * {@code text} as one line of a problem list: line breaks, tabs and other control characters
     * (from keys, values and the YAML parser's messages; see {@link #breaksALine}) are escaped as
     * in a Java string literal (a line break as backslash-n, a NUL as backslash-u0000), so that
     * each problem is one line and none can pass for another.
     */
    static String oneLine(String text) {
        if (text.chars().noneMatch(Section::breaksALine)) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length() + 16);
        text.chars().forEach(c -> {
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (breaksALine(c)) {
                        sb.append(String.format("\\u%04x", c));
                    } else {
                        sb.append((char) c);
                    }
                }
            }
        });
        return sb.toString();
    }

    /** A control character, or Unicode's line and paragraph separators (line breaks in YAML 1.1). */
    static boolean breaksALine(int c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }

    /** The problems of one load, in file order of discovery. */
    static final class Problems {
        private final List<String> lines = new ArrayList<>();

        void add(String path, String message, String value, Node where) {
            StringBuilder sb = new StringBuilder(path.isEmpty() ? "(document)" : path)
                    .append(": ")
                    .append(message);
            if (value != null) {
                sb.append(", was ").append(value);
            }
            if (where != null && where.getStartMark() != null) {
                sb.append(" (line ").append(where.getStartMark().getLine() + 1).append(')');
            }
            lines.add(oneLine(sb.toString()));
        }

        List<String> lines() {
            return lines;
        }

        boolean isEmpty() {
            return lines.isEmpty();
        }
    }
}
