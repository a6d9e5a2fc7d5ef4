package dev.cairn.checkpoint.config;

import static dev.cairn.checkpoint.api.config.ConfigCatalogue.*;

import dev.cairn.checkpoint.api.config.CheckpointConfig;
import dev.cairn.checkpoint.api.config.CommitAfter;
import dev.cairn.checkpoint.api.config.CorruptCheckpointPolicy;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.api.config.HttpConfig;
import dev.cairn.checkpoint.api.config.QueueType;
import dev.cairn.checkpoint.api.config.RestartPolicy;
import dev.cairn.checkpoint.api.config.SlotServiceConfig;
import dev.cairn.checkpoint.api.config.StorageConfig;
import dev.cairn.checkpoint.plugins.Plugins;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactory;
import dev.cairn.checkpoint.storage.api.ConfigProblem;
import dev.cairn.checkpoint.storage.api.DidYouMean;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code seatunnel.yaml} into an {@link EngineConfig}, validating everything once: the
 * engine's keys here, the storage plugin's own {@code plugin-config} keys by the plugin ({@link
 * CheckpointStorageFactory#validate}). Every problem is reported at once, each with its full YAML
 * path, what is wrong, the offending value (masked if secret) and its line.
 *
 * <p>The YAML is only composed into nodes, never constructed into objects: no tag can make it
 * instantiate a class. Aliases, nesting depth and document size are bounded.
 */
public final class ConfigLoader {
    private static final int MAX_DOCUMENT_CHARS = 1 << 20;
    /** Parser messages that quote a name from the document: see {@link #withoutDocumentText}. */
    private static final Pattern DOCUMENT_TEXT =
            Pattern.compile("(found undefined alias|found duplicate anchor|found undefined tag handle"
                    + "|Global tag is not allowed:|expected URI in UTF-8:) \\S+"
                    + "|(expected escape sequence of \\d+ hexadecimal numbers, but found:) .*");

    private final UnaryOperator<String> env;
    private final ClassLoader plugins;

    /**
     * @param env looks up environment variables for {@code ${NAME}} references
     * @param plugins where storage plugins are found
     */
    public ConfigLoader(UnaryOperator<String> env, ClassLoader plugins) {
        this.env = Objects.requireNonNull(env);
        this.plugins = Objects.requireNonNull(plugins);
    }

    /** A loader over the process environment and this class's class loader. */
    public static ConfigLoader standard() {
        return new ConfigLoader(System::getenv, ConfigLoader.class.getClassLoader());
    }

    public EngineConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), List.of(file + ": no such file"));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of(file + ": cannot be read (" + e.getMessage() + ")"));
        }
        return parse(text, file.toString());
    }

    public EngineConfig parse(String yaml, String source) throws ConfigException {
        if (yaml.length() > MAX_DOCUMENT_CHARS) {
            throw new ConfigException(source, List.of(source + ": larger than " + MAX_DOCUMENT_CHARS + " characters"));
        }
        Node document = compose(yaml, source);
        Section.Problems problems = new Section.Problems();
        Section root = Section.root(document, problems, env);
        Section seatunnel = root.section("seatunnel");
        Section engine = seatunnel.section("engine");
        EngineConfig config = engine(engine);
        engine.finish();
        seatunnel.finish();
        root.finish();
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems.lines());
        }
        return config;
    }

    private EngineConfig engine(Section engine) {
        int backupCount = (int) engine.number(
                "backup-count", BACKUP_COUNT, 0, MAX_BACKUP_COUNT, "a whole number from 0 to " + MAX_BACKUP_COUNT);
        QueueType queueType = engine.choice("queue-type", QueueType.class, QUEUE_TYPE);
        long printSeconds = engine.number(
                "print-execution-info-interval",
                PRINT_EXECUTION_INFO_INTERVAL.toSeconds(),
                1,
                Integer.MAX_VALUE,
                "a positive number of seconds");
        Section slots = engine.section("slot-service");
        SlotServiceConfig slotService = new SlotServiceConfig(slots.bool("dynamic-slot", DYNAMIC_SLOT), (int)
                slots.number("slot-num", SLOT_NUM, 1, 100_000, "a positive number of slots"));
        slots.finish();
        Section checkpoint = engine.section("checkpoint");
        CheckpointConfig checkpointConfig = checkpoint(checkpoint);
        checkpoint.finish();
        Section http = engine.section("http");
        HttpConfig httpConfig =
                new HttpConfig(http.bool("enable-http", HTTP_ENABLED), http.string("host", HTTP_HOST), (int)
                        http.number("port", HTTP_PORT, 0, 65_535, "a port from 0 (any free one) to 65535"));
        http.finish();
        int quorum = (int) engine.numberOr(
                "quorum-size",
                "auto",
                EngineConfig.AUTO_QUORUM,
                QUORUM_SIZE,
                1,
                10_000,
                "auto, or a whole number of members from 1 to 10000");
        Duration orphan = millis(engine, "orphan-task-timeout", ORPHAN_TASK_TIMEOUT, 1);
        Section restartSection = engine.section("restart");
        RestartPolicy restart = restart(restartSection);
        restartSection.finish();
        return new EngineConfig(
                backupCount,
                queueType,
                Duration.ofSeconds(printSeconds),
                slotService,
                checkpointConfig,
                httpConfig,
                quorum,
                orphan,
                restart);
    }

    private CheckpointConfig checkpoint(Section checkpoint) {
        Duration interval = millis(checkpoint, "interval", CHECKPOINT_INTERVAL, 1);
        Duration timeout = millis(checkpoint, "timeout", CHECKPOINT_TIMEOUT, 1);
        Duration minPause = millis(checkpoint, "min-pause", CHECKPOINT_MIN_PAUSE, 0);
        int maxConcurrent = (int) checkpoint.number(
                "max-concurrent", CHECKPOINT_MAX_CONCURRENT, 1, 1000, "a whole number from 1 to 1000");
        int tolerableFailures = (int) checkpoint.number(
                "tolerable-failures",
                CHECKPOINT_TOLERABLE_FAILURES,
                0,
                Integer.MAX_VALUE,
                "zero or a positive whole number");
        CommitAfter commitAfter = checkpoint.choice("commit-after", CommitAfter.class, COMMIT_AFTER);
        CorruptCheckpointPolicy corrupt =
                checkpoint.choice("corrupt-checkpoint", CorruptCheckpointPolicy.class, CORRUPT_CHECKPOINT);
        int inlineStateLimit = (int) checkpoint.number(
                "inline-state-limit", INLINE_STATE_LIMIT, 0, 1 << 30, "a number of bytes from 0 to 1073741824");
        Section storage = checkpoint.section("storage");
        StorageConfig storageConfig = storage(storage);
        storage.finish();
        return new CheckpointConfig(
                interval,
                timeout,
                minPause,
                maxConcurrent,
                tolerableFailures,
                storageConfig,
                commitAfter,
                corrupt,
                inlineStateLimit);
    }

    private static RestartPolicy restart(Section restart) {
        RestartPolicy.Strategy strategy = restart.choice("strategy", RestartPolicy.Strategy.class, RESTART.strategy());
        int attempts = (int) restart.number(
                "max-attempts", RESTART.maxAttempts(), 0, Integer.MAX_VALUE, "zero or a positive whole number");
        Duration delay = millis(restart, "delay", RESTART.delay(), 0);
        Duration maxDelay = millis(restart, "max-delay", RESTART.maxDelay(), 0);
        if (strategy == RestartPolicy.Strategy.FIXED_DELAY) {
            return RestartPolicy.fixedDelay(attempts, delay); // max-delay is not read
        }
        if (maxDelay.compareTo(delay) < 0) {
            restart.problem("max-delay", "must be at least delay (" + delay.toMillis() + ")", maxDelay.toMillis());
            maxDelay = delay;
        }
        return new RestartPolicy(strategy, attempts, delay, maxDelay);
    }

    private static Duration millis(Section section, String key, Duration fallback, long min) {
        String what = min == 0 ? "zero or a positive number of milliseconds" : "a positive number of milliseconds";
        return Duration.ofMillis(section.number(key, fallback.toMillis(), min, Long.MAX_VALUE / 1_000_000, what));
    }

    private StorageConfig storage(Section storage) {
        String type = storage.string("type", STORAGE_TYPE);
        int maxRetained =
                (int) storage.number("max-retained", MAX_RETAINED, 1, 10_000, "a whole number from 1 to 10000");
        Duration callTimeout = millis(storage, "call-timeout", STORAGE_CALL_TIMEOUT, 1);
        Set<String> unreadable = new HashSet<>();
        Map<String, String> pluginConfig = storage.flatMap("plugin-config", unreadable);
        validatePlugin(storage, type, pluginConfig, unreadable);
        return new StorageConfig(type, maxRetained, pluginConfig, callTimeout);
    }

    /**
     * The plugin checks its own keys; its problems are reported under plugin-config's path. A key
     * whose value could not be read (an unset {@code ${NAME}}, for one) has been reported already:
     * the plugin sees it present, with its text as written, so that no "is required" follows for
     * it, and whatever the plugin says about that key itself is left out (it would judge the text
     * {@code ${NAME}}, not the value). One problem, the real one, per unreadable key.
     */
    private void validatePlugin(
            Section storage, String type, Map<String, String> pluginConfig, Set<String> unreadable) {
        CheckpointStorageFactory factory;
        try {
            factory = CheckpointStorageFactories.find(type, plugins);
        } catch (IllegalArgumentException e) {
            List<String> available = CheckpointStorageFactories.identifiers(plugins);
            // Where plugins come from, and the plugin that should have provided the type if it failed.
            String plugin = Plugins.of(plugins).map(p -> "; " + p.hint(type)).orElse("");
            storage.problems()
                    .add(
                            storage.path("type"),
                            e.getMessage() + DidYouMean.hint(type, available) + plugin,
                            null,
                            storage.keyNode("type"));
            return;
        }
        Section section = storage.section("plugin-config");
        List<ConfigProblem> found;
        try {
            found = factory.validate(pluginConfig);
        } catch (RuntimeException | LinkageError e) {
            // validate must not throw; one that does (a class its plugin lacks) is the plugin's problem
            storage.problems()
                    .add(
                            storage.path("type"),
                            "the '" + type + "' plugin cannot check its plugin-config: "
                                    + CheckpointStorageFactories.describe(e),
                            null,
                            storage.keyNode("type"));
            return;
        }
        for (ConfigProblem problem : found) {
            if (unreadable.contains(problem.key())) {
                continue;
            }
            Node key = section.keyNode(problem.key());
            Node where = key != null ? key : storage.keyNode("plugin-config");
            storage.problems().add(section.path(problem.key()), problem.message(), null, where);
        }
    }

    /**
     * A parser message without the names it echoes from the document: an undefined alias ({@code
     * *name}), an anchor ({@code &name}), a tag handle ({@code !name!}) or a global tag ({@code
     * !!name}) is what an unquoted value that starts with {@code *}, {@code &} or {@code !} reads
     * as, and such a value may be a secret: the parser cannot tell whose value it was. The line and
     * column still say where.
     */
    static String withoutDocumentText(String message) {
        return message == null
                ? null
                : DOCUMENT_TEXT
                        .matcher(message)
                        .replaceAll(m -> Matcher.quoteReplacement(
                                (m.group(1) != null ? m.group(1) : m.group(2)) + " (not shown)"));
    }

    private static Node compose(String yaml, String source) throws ConfigException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(20);
        options.setCodePointLimit(MAX_DOCUMENT_CHARS);
        try (Reader reader = new StringReader(yaml)) {
            return new Yaml(options).compose(reader);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where =
                    mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
            String what = withoutDocumentText(e.getProblem() != null ? e.getProblem() : e.getMessage());
            if (e.getContext() != null) {
                what = e.getContext() + ": " + what;
            }
            throw new ConfigException(
                    source, List.of(Section.oneLine(source + ": YAML syntax error" + where + ": " + what)));
        } catch (YAMLException | IOException e) {
            throw new ConfigException(
                    source, List.of(Section.oneLine(source + ": cannot be read as YAML: " + e.getMessage())));
        } catch (IllegalArgumentException e) {
            // SnakeYAML's own checks of some tokens (a tag such as "!%a") throw this, not a YAMLException.
            throw new ConfigException(
                    source,
                    List.of(Section.oneLine(
                            source + ": cannot be read as YAML: " + withoutDocumentText(e.getMessage()))));
        }
    }
}
