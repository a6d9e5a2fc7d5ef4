package dev.cairn.checkpoint.config;

import java.util.List;

/** A configuration that cannot be used: every problem found, each naming its full YAML path. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super(source + " has " + problems.size() + (problems.size() == 1 ? " problem:\n  " : " problems:\n  ")
                + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per problem: {@code path: what is wrong, was "value" (line N)}. */
    public List<String> problems() {
        return problems;
    }
}
