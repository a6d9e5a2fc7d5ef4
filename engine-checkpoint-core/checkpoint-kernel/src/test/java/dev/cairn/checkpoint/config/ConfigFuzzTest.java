package dev.cairn.checkpoint.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.config.EngineConfig;
import java.io.IOException;
import java.io.StringReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;
import org.opentest4j.AssertionFailedError;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Hostile YAML for {@link ConfigLoader#parse}: random strings, token soups, and mutations of every
 * shipped and seed configuration file (insertions, deletions, swapped lines, indentation, unicode,
 * tabs, anchors, aliases, tags), alias bombs, deep nesting and very long lines. Whatever the text,
 * parse returns an EngineConfig or throws a ConfigException whose every problem is one line that
 * starts with a YAML path or, for a document that is not YAML, with the source name — a syntax
 * error with its line — and never another exception, a stack trace or a hang.
 */
class ConfigFuzzTest {
    private static final String SOURCE = "fuzz.yaml";
    /** Per parse: a megabyte document parses in well under a second. */
    private static final Duration TIME_BOUND = Duration.ofSeconds(10);

    private static final Pattern SYNTAX_ERROR = Pattern.compile(
            Pattern.quote(SOURCE) + ": YAML syntax error at line \\d+, column \\d+: .+", Pattern.DOTALL);

    private static final ExecutorService WORKERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "config-fuzz");
        t.setDaemon(true);
        return t;
    });

    private static final ConfigLoader LOADER =
            new ConfigLoader(Map.<String, String>of()::get, ConfigFuzzTest.class.getClassLoader());

    /** Set by {@link Canary}'s static initializer: it runs if a YAML tag ever instantiates it. */
    static final AtomicBoolean CANARY_INITIALIZED = new AtomicBoolean();

    /** A class of our own, named by YAML tags. */
    public static final class Canary {
        static {
            CANARY_INITIALIZED.set(true);
        }

        public Canary() {}

        public Canary(String s) {}
    }

    private static final String CANARY_TAG = "!!" + Canary.class.getName();

    /** The valid files: config/seatunnel.yaml, config/examples/*.yaml and the seed documents. */
    private static final List<String> SEEDS = seeds();

    // ------------------------------------------------------------------------------------------
    // Properties

    @Property(tries = 5000)
    void randomStrings_failCleanly(@ForAll("randomStrings") String yaml) {
        assertParsesOrFailsCleanly(yaml);
    }

    @Property(tries = 5000)
    void yamlTokenSoups_failCleanly(@ForAll("tokenSoups") String yaml) {
        assertParsesOrFailsCleanly(yaml);
    }

    @Property(tries = 10000)
    void mutatedConfigFiles_parseOrFailCleanly(
            @ForAll("seedTexts") String seed, @ForAll @Size(min = 1, max = 5) List<@From("edits") Edit> edits) {
        String yaml = seed;
        for (Edit edit : edits) {
            yaml = edit.apply(yaml);
        }
        assertParsesOrFailsCleanly(yaml);

        // Mutations of valid files reach every stage: the parser, the checks of values, success.
        Statistics.label("outcome").coverage(c -> {
            c.check("parsed").percentage(p -> p > 1);
            c.check("problems at paths").percentage(p -> p > 10);
            c.check("syntax error").percentage(p -> p > 10);
        });
    }

    /**
     * Billion laughs: each level a list of {@code width} aliases of the level before, the last used
     * where the loader reads (or does not). Refused once it takes more aliases of collections than
     * the loader allows, always quickly.
     */
    @Property(tries = 300)
    void aliasBombs_areRefusedQuickly(
            @ForAll @IntRange(min = 2, max = 12) int width,
            @ForAll @IntRange(min = 1, max = 30) int depth,
            @ForAll boolean flow,
            @ForAll @IntRange(min = 0, max = 3) int where) {
        StringBuilder yaml = new StringBuilder();
        yaml.append("l0: &l0 [").append("\"lol\", ".repeat(width - 1)).append("\"lol\"]\n");
        for (int level = 1; level <= depth; level++) {
            String alias = "*l" + (level - 1);
            yaml.append('l').append(level).append(": &l").append(level);
            if (flow) {
                yaml.append(" [")
                        .append(String.join(", ", java.util.Collections.nCopies(width, alias)))
                        .append("]\n");
            } else {
                yaml.append('\n');
                for (int i = 0; i < width; i++) {
                    yaml.append("  - ").append(alias).append('\n');
                }
            }
        }
        String bomb = "*l" + depth;
        yaml.append(
                switch (where) {
                    case 0 -> "seatunnel: " + bomb + "\n";
                    case 1 -> "seatunnel:\n  engine:\n    checkpoint:\n      storage:\n        plugin-config: " + bomb
                            + "\n";
                    case 2 -> "seatunnel:\n  engine:\n    backup-count: " + bomb + "\n";
                    default -> "bomb: " + bomb + "\n";
                });

        ConfigException e = assertParsesOrFailsCleanly(yaml.toString());

        int collectionAliases = width * depth + 1;
        if (collectionAliases > 20) {
            assertNotNull(e, "an alias bomb of " + collectionAliases + " aliases was accepted");
        }
    }

    /** Flows and blocks nested up to thousands deep, at the top or under keys the loader reads. */
    @Property(tries = 300)
    void deeplyNestedDocuments_failCleanly(
            @ForAll @IntRange(min = 1, max = 5000) int depth,
            @ForAll @IntRange(min = 0, max = 4) int kind,
            @ForAll boolean underPluginConfig) {
        int d = kind == 3 ? Math.min(depth, 400) : depth; // block indentation grows quadratically
        String nested =
                switch (kind) {
                    case 0 -> "[".repeat(d) + "]".repeat(d);
                    case 1 -> "{a: ".repeat(d) + "b" + "}".repeat(d);
                    case 2 -> "[{a: ".repeat(d) + "x" + "}]".repeat(d);
                    case 3 -> {
                        StringBuilder block = new StringBuilder("\n");
                        for (int i = 0; i < d; i++) {
                            block.append("  ".repeat(i + 5))
                                    .append("k")
                                    .append(i)
                                    .append(":\n");
                        }
                        yield block.toString();
                    }
                    default -> "[".repeat(d); // unterminated
                };
        String yaml = underPluginConfig
                ? "seatunnel:\n  engine:\n    checkpoint:\n      storage:\n        plugin-config: " + nested + "\n"
                : nested;
        assertParsesOrFailsCleanly(yaml);
    }

    /**
     * A very long value, key or comment, up to past the loader's size limit, where the loader reads
     * values (and resolves ${ENV} references in them) and where it only reports keys.
     */
    @Property(tries = 120)
    void veryLongLines_parseOrFailCleanly(
            @ForAll("longLineTokens") String token,
            @ForAll("lineLengths") int length,
            @ForAll @IntRange(min = 0, max = 5) int where) {
        String text = token.repeat(Math.max(1, length / token.length()));
        String yaml =
                switch (where) {
                    case 0 -> "seatunnel:\n  engine:\n    checkpoint:\n      storage:\n        type: " + text + "\n";
                    case 1 -> "seatunnel:\n  engine:\n    checkpoint:\n      storage:\n        plugin-config:\n"
                            + "          namespace: '" + text.replace("'", "''") + "'\n";
                    case 2 -> "seatunnel:\n  engine:\n    queue-type: \""
                            + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n";
                    case 3 -> "seatunnel:\n  engine:\n    ? " + text + "\n    : 1\n";
                    case 4 -> "# " + text + "\nseatunnel:\n";
                    default -> text;
                };
        assertParsesOrFailsCleanly(yaml);
    }

    /** Tags naming classes, on scalars, mappings, sequences and the document: nothing is instantiated. */
    @Property(tries = 1000)
    void classTags_neverInstantiateAnything(
            @ForAll("seedTexts") String seed,
            @ForAll("classTags") String tag,
            @ForAll("anywhere") int line,
            @ForAll @IntRange(min = 0, max = 2) int form) {
        String[] lines = seed.split("\n", -1);
        int i = line % lines.length;
        int colon = lines[i].indexOf(": ");
        String tagged =
                switch (form) {
                    case 0 -> colon < 0
                            ? tag + " " + lines[i]
                            : lines[i].substring(0, colon + 2) + tag + " " + lines[i].substring(colon + 2);
                    case 1 -> colon < 0
                            ? lines[i]
                            : lines[i].substring(0, colon + 2) + tag + " [\"http://127.0.0.1/\"]";
                    default -> colon < 0 ? lines[i] : lines[i].substring(0, colon + 2) + tag + " {x: 1}";
                };
        lines[i] = tagged;
        String yaml = (form == 0 && i == 0 ? "--- " + tag + "\n" : "") + String.join("\n", lines);

        assertParsesOrFailsCleanly(yaml);
        assertFalse(CANARY_INITIALIZED.get(), "a YAML tag initialized " + Canary.class.getName());
    }

    // ------------------------------------------------------------------------------------------
    // Regressions: what the properties above found

    /**
     * 400,000 times "${" with no "}": the regex that found ${NAME} references rescanned the rest of
     * the value from each of them (quadratic): past the 10 s bound for one value of a document
     * under the size limit.
     */
    /** Found by {@link #randomStrings_failCleanly}: SnakeYAML refuses such a tag with an IllegalArgumentException. */
    @Example
    void aTagSnakeYamlRefusesItself_isReportedAsNotYaml() {
        ConfigException e = assertParsesOrFailsCleanly("!%a");

        assertNotNull(e);
        assertEquals(
                List.of(SOURCE + ": cannot be read as YAML: Tag must not contain leading or trailing spaces."),
                e.problems());
    }

    @Example
    void aValueOfManyUnterminatedEnvReferences_isRefusedQuickly() {
        String yaml =
                "seatunnel:\n  engine:\n    checkpoint:\n      storage:\n        type: " + "${".repeat(400_000) + "\n";

        ConfigException e = assertParsesOrFailsCleanly(yaml);

        assertNotNull(e);
        assertEquals(
                List.of("seatunnel.engine.checkpoint.storage.type: has an unterminated ${ (write ${NAME}) (line 5)"),
                e.problems());
    }

    /** References still resolve as before: each ${ up to the next }. */
    @Example
    void envReferences_stillResolve_eachUpToTheNextBrace() throws Exception {
        ConfigLoader loader =
                new ConfigLoader(Map.of("A", "x", "B_2", "y")::get, getClass().getClassLoader());
        String yaml = "seatunnel:\n  engine:\n    checkpoint:\n      storage:\n        plugin-config:\n"
                + "          namespace: /${A}/$${B_2}}/${A}${A}/$/{A}/\n";
        assertEquals(
                "/x/$y}/xx/$/{A}/",
                loader.parse(yaml, SOURCE).checkpoint().storage().pluginConfig().get("namespace"));
        ConfigException e =
                assertThrows(ConfigException.class, () -> loader.parse(yaml.replace("/$/{A}/", "/${A-B}/${A"), SOURCE));
        assertEquals(
                List.of(
                        "seatunnel.engine.checkpoint.storage.plugin-config.namespace: refers to an invalid environment"
                                + " variable name ${A-B} (line 6)",
                        "seatunnel.engine.checkpoint.storage.plugin-config.namespace: has an unterminated ${ (write"
                                + " ${NAME}) (line 6)"),
                e.problems());
    }

    /** An empty or null key ("? " alone) was reported with an empty path: ": unknown key (line 1)". */
    @Example
    void emptyAndNullKeys_areReportedUnderTheirSection() {
        assertEquals(List.of("(document): keys must be plain names (line 1)"), problems("? \n"));
        assertEquals(List.of("(document): keys must be plain names (line 1)"), problems("\"\": 1\n"));
        assertEquals(
                List.of("seatunnel.engine: keys must be plain names (line 3)"),
                problems("seatunnel:\n  engine:\n    ' ': 1\n"));
    }

    /**
     * A line break in a value, a tab in a key or a NUL in the parser's message made one problem
     * span several lines of the message (or carry invisible characters): they are escaped.
     */
    @Example
    void controlCharacters_inValuesKeysAndSyntaxErrors_areEscaped() {
        assertEquals(
                List.of("seatunnel.engine.queue-type: must be one of blockingqueue, disruptor, was \"a\\nb\\tc\""
                        + " (line 3)"),
                problems("seatunnel:\n  engine:\n    queue-type: \"a\\nb\\tc\"\n"));
        assertEquals(List.of("seatunnel.a\\tb: unknown key (line 2)"), problems("seatunnel:\n  \"a\\tb\": 1\n"));
        assertEquals(
                List.of(SOURCE + ": YAML syntax error at line 1, column 2: while scanning an anchor:"
                        + " unexpected character found \\u0000(0)"),
                problems("&"));
    }

    private static List<String> problems(String yaml) {
        ConfigException e = assertParsesOrFailsCleanly(yaml);
        assertNotNull(e, "parsed: " + describe(yaml));
        return e.problems();
    }

    // ------------------------------------------------------------------------------------------
    // The property

    /** What one parse did. */
    record Outcome(EngineConfig config, Throwable thrown) {}

    private static Outcome parse(String yaml) {
        Future<Outcome> future = WORKERS.submit(() -> {
            try {
                return new Outcome(LOADER.parse(yaml, SOURCE), null);
            } catch (Throwable t) {
                return new Outcome(null, t);
            }
        });
        try {
            return future.get(TIME_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new AssertionFailedError("parse did not finish within " + TIME_BOUND + " for " + describe(yaml));
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionFailedError("parse could not be run", e);
        }
    }

    /**
     * The property: an EngineConfig (null returned), or a ConfigException (returned) whose every
     * problem is one line starting with a YAML path or the source name, with a line for a syntax
     * error, and no stack trace.
     */
    static ConfigException assertParsesOrFailsCleanly(String yaml) {
        Outcome outcome = parse(yaml);
        if (outcome.thrown() == null) {
            assertNotNull(outcome.config(), "parse returned null");
            Statistics.label("outcome").collect("parsed");
            return null;
        }
        if (!(outcome.thrown() instanceof ConfigException e)) {
            throw new AssertionFailedError(
                    "parse threw " + outcome.thrown() + " for " + describe(yaml), outcome.thrown());
        }
        List<String> problems = e.problems();
        String message = e.getMessage();
        assertFalse(problems.isEmpty(), message);
        assertFalse(message.contains("\tat "), "a stack trace in " + message);
        int n = problems.size();
        assertEquals(
                SOURCE + " has " + n + (n == 1 ? " problem:\n  " : " problems:\n  ") + String.join("\n  ", problems),
                message);
        Statistics.label("outcome")
                .collect(
                        problems.get(0).startsWith(SOURCE + ": YAML syntax error")
                                ? "syntax error"
                                : problems.get(0).startsWith(SOURCE + ": ") ? "not read as YAML" : "problems at paths");
        Set<String> rootKeys = null;
        for (String problem : problems) {
            String context = problem + "\n  for " + describe(yaml);
            assertTrue(
                    problem.chars().noneMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029'),
                    "a problem with a control character (a line break, a tab) in it: " + context);
            if (problem.startsWith(SOURCE + ": ")) {
                if (problem.contains("syntax error")) {
                    assertTrue(SYNTAX_ERROR.matcher(problem).matches(), "a syntax error without its line: " + context);
                } else {
                    assertTrue(
                            problem.startsWith(SOURCE + ": cannot be read as YAML: ")
                                    || problem.startsWith(SOURCE + ": larger than "),
                            context);
                }
            } else if (problem.startsWith("(document): ")
                    || problem.startsWith("seatunnel: ")
                    || problem.startsWith("seatunnel.")) {
                // a path in the tree the loader reads
            } else {
                // Otherwise a key at the top of the document that the loader does not know.
                if (rootKeys == null) {
                    rootKeys = rootKeys(yaml);
                }
                boolean aboutARootKey = rootKeys.stream()
                        .map(Section::oneLine)
                        .anyMatch(k -> !k.isBlank()
                                && (problem.startsWith(k + ": unknown key")
                                        || problem.startsWith(k + ": is given twice")));
                assertTrue(aboutARootKey, "a problem that names no YAML path: " + context);
            }
        }
        return e;
    }

    /** The scalar keys of the document's top mapping, composed as the loader composes it. */
    private static Set<String> rootKeys(String yaml) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(20);
        options.setNestingDepthLimit(20);
        options.setCodePointLimit(1 << 20);
        Set<String> keys = new LinkedHashSet<>();
        Node root = new Yaml(options).compose(new StringReader(yaml));
        if (root instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key) {
                    keys.add(key.getValue());
                }
            }
        }
        return keys;
    }

    static String describe(String yaml) {
        String shown = yaml.length() <= 400 ? yaml : yaml.substring(0, 400) + "... (" + yaml.length() + " chars)";
        StringBuilder sb = new StringBuilder("\"");
        shown.codePoints().forEach(c -> {
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '"' || c == '\\') {
                sb.append('\\').appendCodePoint(c);
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || Character.isSurrogate((char) c)) {
                sb.append(String.format("\\u%04x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.append('"').toString();
    }

    // ------------------------------------------------------------------------------------------
    // Generators

    @Provide
    Arbitrary<String> randomStrings() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(300),
                Arbitraries.strings().ascii().ofMaxLength(300),
                Arbitraries.strings()
                        .withChars(" \t\n\r:-[]{},&*!|>'\"#%@`?~$\\")
                        .withCharRange('a', 'c')
                        .withCharRange('0', '2')
                        .ofMaxLength(300));
    }

    /** What YAML and this loader are made of. */
    private static final List<String> TOKENS = List.of(
            "seatunnel",
            "engine",
            "checkpoint",
            "storage",
            "plugin-config",
            "slot-service",
            "type",
            "hdfs",
            "localfile",
            "namespace",
            "storage.type",
            "fs.defaultFS",
            "interval",
            "backup-count",
            "queue-type",
            "max-retained",
            ":",
            ": ",
            " ",
            "  ",
            "    ",
            "\n",
            "\r\n",
            "\t",
            "- ",
            "-",
            "[",
            "]",
            "{",
            "}",
            ", ",
            "? ",
            "|",
            "|-",
            ">",
            "'",
            "\"",
            "''",
            "\\",
            "\\x00",
            "\\u0000",
            "# ",
            "---",
            "...",
            "%YAML 1.1\n",
            "%YAML 9.9\n",
            "%TAG !e! tag:example.com,2000:\n",
            "&a ",
            "&b ",
            "*a",
            "*b",
            "*undefined",
            "<<: ",
            "!!java.net.URL ",
            "!!javax.script.ScriptEngineManager ",
            "!!java.lang.ProcessBuilder ",
            "!<tag:yaml.org,2002:java.net.URL> ",
            "!custom ",
            "!!str ",
            "!!int ",
            "!!binary ",
            "!e!x ",
            "~",
            "null",
            "true",
            "no",
            "0",
            "-5",
            "0x1F",
            "1e9",
            "9223372036854775808",
            "1_000",
            "${",
            "}",
            "${HOME}",
            "${A",
            "$",
            "é",
            "\u00a0",
            "\u0085",
            "\u2028",
            "\ufeff",
            "\u0000",
            "\u0007",
            "\ud83d\ude00",
            "\ud83d",
            "@",
            "`",
            "%");

    @Provide
    Arbitrary<String> tokenSoups() {
        return Arbitraries.of(TOKENS).list().ofMaxSize(80).map(tokens -> String.join("", tokens));
    }

    @Provide
    Arbitrary<String> seedTexts() {
        return Arbitraries.of(SEEDS);
    }

    @Provide
    Arbitrary<String> classTags() {
        return Arbitraries.of(
                "!!java.net.URL",
                "!!javax.script.ScriptEngineManager",
                "!!java.lang.ProcessBuilder",
                "!<tag:yaml.org,2002:java.net.URL>",
                CANARY_TAG,
                "!<tag:yaml.org,2002:" + Canary.class.getName() + ">",
                "!" + Canary.class.getName(),
                "!!java.util.HashMap",
                "!!set",
                "!!omap",
                "!!binary");
    }

    /** Up to past the loader's limit of 2^20 characters: half uniform, half jqwik's small-biased. */
    @Provide
    Arbitrary<Integer> lineLengths() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(1, 1_100_000).withDistribution(RandomDistribution.uniform()),
                Arbitraries.integers().between(1, 1_100_000));
    }

    @Provide
    Arbitrary<String> longLineTokens() {
        return Arbitraries.of(
                "a",
                "${",
                "${A",
                "${A}",
                "}",
                "$",
                "é",
                "\\",
                "'",
                "\"",
                "# ",
                ": ",
                "0",
                "_",
                "-",
                "\ud83d\ude00",
                " ",
                "[",
                "{");
    }

    /** Anywhere in a text, once taken modulo its length: mostly uniform, some small. */
    @Provide
    Arbitrary<Integer> anywhere() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(0, 1 << 30).withDistribution(RandomDistribution.uniform())),
                Tuple.of(1, Arbitraries.integers().greaterOrEqual(0)));
    }

    enum EditKind {
        INSERT_TOKEN,
        INSERT_CHAR,
        DELETE_CHARS,
        SWAP_LINES,
        DUPLICATE_LINE,
        DELETE_LINE,
        INDENT_MORE,
        INDENT_LESS,
        TAB_INDENT,
        REPLACE_VALUE,
        ANCHOR_AND_ALIAS,
        TAG_VALUE,
        LONG_VALUE
    }

    /** One change to a text; positions are taken modulo its length or its number of lines. */
    record Edit(EditKind kind, int at, int other, String token, int codePoint) {
        String apply(String text) {
            String[] lines = text.split("\n", -1);
            int li = Math.floorMod(at, lines.length);
            int lj = Math.floorMod(other, lines.length);
            int pos = text.isEmpty() ? 0 : Math.floorMod(at, text.length() + 1);
            switch (kind) {
                case INSERT_TOKEN:
                    return text.substring(0, pos) + token + text.substring(pos);
                case INSERT_CHAR:
                    return text.substring(0, pos) + new String(Character.toChars(codePoint)) + text.substring(pos);
                case DELETE_CHARS: {
                    int end = Math.min(text.length(), pos + 1 + Math.floorMod(other, 12));
                    return text.substring(0, Math.min(pos, text.length())) + text.substring(end);
                }
                case SWAP_LINES: {
                    String t = lines[li];
                    lines[li] = lines[lj];
                    lines[lj] = t;
                    break;
                }
                case DUPLICATE_LINE:
                    lines[li] = lines[li] + "\n" + lines[li];
                    break;
                case DELETE_LINE:
                    lines[li] = null;
                    break;
                case INDENT_MORE:
                    lines[li] = " ".repeat(1 + Math.floorMod(other, 4)) + lines[li];
                    break;
                case INDENT_LESS:
                    lines[li] = lines[li].replaceFirst("^ {1," + (1 + Math.floorMod(other, 4)) + "}", "");
                    break;
                case TAB_INDENT:
                    lines[li] = lines[li].replaceFirst("^ +", "\t");
                    break;
                case REPLACE_VALUE:
                    lines[li] = withValue(lines[li], token);
                    break;
                case ANCHOR_AND_ALIAS: {
                    lines[li] = withValue(lines[li], "&x " + valueOf(lines[li]));
                    lines[lj] = withValue(lines[lj], "*x");
                    break;
                }
                case TAG_VALUE:
                    lines[li] = withValue(lines[li], "!!java.net.URL " + valueOf(lines[li]));
                    break;
                case LONG_VALUE:
                    lines[li] = withValue(lines[li], token.repeat(1 + Math.floorMod(other, 20_000)));
                    break;
            }
            List<String> kept = new ArrayList<>();
            for (String line : lines) {
                if (line != null) {
                    kept.add(line);
                }
            }
            return String.join("\n", kept);
        }

        private static String withValue(String line, String value) {
            int colon = line.indexOf(": ");
            if (colon >= 0) {
                return line.substring(0, colon + 2) + value;
            }
            return line.endsWith(":") ? line + " " + value : line + value;
        }

        private static String valueOf(String line) {
            int colon = line.indexOf(": ");
            return colon >= 0 ? line.substring(colon + 2) : "";
        }

        @Override
        public String toString() {
            return kind + "@" + at + "/" + other + "(" + describe(token) + ", U+" + Integer.toHexString(codePoint)
                    + ")";
        }
    }

    @Provide
    Arbitrary<Edit> edits() {
        Arbitrary<Integer> codePoints = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(0, 0x7f)),
                Tuple.of(2, Arbitraries.integers().between(0x80, 0xffff)),
                Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10ffff)),
                Tuple.of(1, Arbitraries.of(0xfeff, 0x2028, 0x2029, 0x85, 0xd800, 0xdfff, 0, 7, 9, 13, 0x1b)));
        return Combinators.combine(
                        Arbitraries.of(EditKind.class), anywhere(), anywhere(), Arbitraries.of(TOKENS), codePoints)
                .as(Edit::new);
    }

    private static List<String> seeds() {
        try {
            List<Path> files = new ArrayList<>();
            Path config = Path.of("..", "..", "config");
            files.add(config.resolve("seatunnel.yaml"));
            Path seedConfigs = Path.of(ConfigFuzzTest.class
                            .getResource("/seed-configs/01-general.yaml")
                            .toURI())
                    .getParent();
            for (Path dir : List.of(config.resolve("examples"), seedConfigs)) {
                try (Stream<Path> list = Files.list(dir)) {
                    list.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(files::add);
                }
            }
            List<String> texts = new ArrayList<>();
            for (Path file : files) {
                texts.add(Files.readString(file, StandardCharsets.UTF_8));
            }
            assertTrue(texts.size() >= 15, "seed files found: " + files);
            return List.copyOf(texts);
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot read the seed configuration files", e);
        }
    }

    /** The seeds themselves: every one parses or fails as the property says (most are valid). */
    @Example
    void seedFiles_parseOrFailCleanly() {
        int parsed = 0;
        for (String seed : SEEDS) {
            if (assertParsesOrFailsCleanly(seed) == null) {
                parsed++;
            }
        }
        assertTrue(parsed >= SEEDS.size() / 2, parsed + " of " + SEEDS.size() + " seeds parse");
    }
}
