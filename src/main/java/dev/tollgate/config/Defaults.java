package dev.tollgate.config;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The built-in defaults: the keys of the defaults file and its templates. A template is a key with {@code *} in
 * place of a name ({@code gateway.routes.*.preserve-host}); the {@code *} stands for exactly one name segment,
 * any non-empty text without a dot, as {@link Settings#names} finds the names of routes, services, rules and
 * providers. Immutable.
 */
final class Defaults {
    private static final String ANY = "*";

    private final Map<String, String> keys = new TreeMap<>();
    private final Map<List<String>, String> templates = new LinkedHashMap<>();

    /** @param entries the defaults file's entries, templates included */
    Defaults(Map<String, String> entries) {
        new TreeMap<>(entries).forEach((k, v) -> {
            if (isTemplate(k)) {
                templates.put(List.of(k.split("\\.", -1)), v);
            } else {
                keys.put(k, v);
            }
        });
    }

    /** Whether a defaults-file key is a template. */
    static boolean isTemplate(String key) {
        return Arrays.asList(key.split("\\.", -1)).contains(ANY);
    }

    /** The entries that are no templates: the keys the defaults file sets. */
    static Map<String, String> withoutTemplates(Map<String, String> entries) {
        Map<String, String> out = new TreeMap<>(entries);
        out.keySet().removeIf(Defaults::isTemplate);
        return out;
    }

    /**
     * The entry for the key, or the value of a template that matches it, trimmed; blank when the defaults file
     * declares the key empty.
     *
     * @throws IllegalStateException when neither exists: a read that needs a default lacks one
     */
    String entry(String key) {
        String v = keys.get(key);
        if (v == null) {
            v = template(key);
        }
        if (v == null) {
            throw missing(key);
        }
        return v.trim();
    }

    /**
     * The key's default, trimmed.
     *
     * @throws IllegalStateException when it has none (or a blank one): a read that needs a default lacks one
     */
    String value(String key) {
        String v = entry(key);
        if (v.isEmpty()) {
            throw missing(key);
        }
        return v;
    }

    private static IllegalStateException missing(String key) {
        return new IllegalStateException("no default for " + key + " in the defaults file");
    }

    /** A default the reader cannot use: a programming error in the defaults file. */
    static IllegalStateException invalid(String key, String expected) {
        return new IllegalStateException("the default of " + key + " is not " + expected);
    }

    private String template(String key) {
        String[] parts = key.split("\\.", -1);
        for (Map.Entry<List<String>, String> t : templates.entrySet()) {
            List<String> pattern = t.getKey();
            boolean match = pattern.size() == parts.length;
            for (int i = 0; match && i < parts.length; i++) {
                match = pattern.get(i).equals(ANY) ? !parts[i].isEmpty() : pattern.get(i).equals(parts[i]);
            }
            if (match) {
                return t.getValue();
            }
        }
        return null;
    }
}
