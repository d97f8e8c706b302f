package dev.tollgate.config;

import java.util.List;

/**
 * The configuration is invalid. Carries every problem found, each naming the key, the value and what
 * was expected, so one failed start-up shows the operator all there is to fix.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super("invalid gateway configuration (" + problems.size() + " problem"
                + (problems.size() == 1 ? "" : "s") + "):\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
