package dev.tollgate.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Typed, validating reads over the merged properties. Every read marks its key as known; problems are
 * collected, not thrown, so that {@link #finish()} can report all of them at once, unknown keys included.
 *
 * <p>Defaults come from the built-in defaults file only. A read without a fallback takes the key's value, else
 * (absent or blank) its default: the defaults file's entry for the key, or a template of it, a defaults-file key
 * with {@code *} in place of one name ({@code gateway.routes.*.preserve-host}, see {@link Defaults}). Templates
 * are no keys of their own: they are not among the values, so they are neither shown nor matched by environment
 * variables, and never reported as unknown. A read that finds no default is a programming error
 * ({@link IllegalStateException}). A read with a fallback takes the value of the setting the key inherits from.
 * Not thread-safe: used by one thread while the configuration is loaded.
 */
public final class Settings {
    private final Map<String, String> values;
    private final Defaults defaults;
    private final Set<String> used = new HashSet<>();
    private final List<String> problems = new ArrayList<>();

    /**
     * @param values the merged properties, templates left out
     * @param defaults the defaults file's entries, templates included
     */
    public Settings(Map<String, String> values, Map<String, String> defaults) {
        this.values = new TreeMap<>(values);
        this.defaults = new Defaults(defaults);
    }

    /**
     * The raw value as set (in the defaults file or by the user), trimmed, or {@code null} when absent or blank;
     * templates do not apply. Marks the key as known.
     */
    public String string(String key) {
        used.add(key);
        String v = values.get(key);
        if (v == null) {
            return null;
        }
        v = v.trim();
        return v.isEmpty() ? null : v;
    }

    /** The value, or (absent or blank) the key's default. */
    public String text(String key) {
        String v = string(key);
        return v == null ? defaultValue(key) : v;
    }

    /**
     * The key's default: its entry in the defaults file, or the value of a template that matches it.
     *
     * @throws IllegalStateException when it has none (or a blank one): a read that needs a default lacks one
     */
    public String defaultValue(String key) {
        return defaults.value(key);
    }

    public String required(String key) {
        String v = string(key);
        if (v == null) {
            problem(key, values.get(key), "a value is required");
        }
        return v;
    }

    /** The comma-separated entries; empty when absent or blank. */
    public List<String> list(String key) {
        return ValueSyntax.split(string(key));
    }

    /**
     * The comma-separated entries where the key is set (blank: none), else those of its default (which may be
     * empty).
     *
     * @throws IllegalStateException when the defaults file has no entry for the key
     */
    public List<String> listOrDefault(String key) {
        if (isSet(key)) {
            return list(key);
        }
        return ValueSyntax.split(defaults.entry(key));
    }

    /** A boolean, or (absent or blank) its default. */
    public boolean bool(String key) {
        Boolean d = ValueSyntax.bool(defaultValue(key));
        if (d == null) {
            throw Defaults.invalid(key, "a boolean");
        }
        return bool(key, d);
    }

    /** A boolean, or (absent or blank) the value of the setting it inherits from. */
    public boolean bool(String key, boolean inherited) {
        String v = string(key);
        if (v == null) {
            return inherited;
        }
        Boolean b = ValueSyntax.bool(v);
        if (b == null) {
            problem(key, v, "true or false");
            return inherited;
        }
        return b;
    }

    /** A whole number from {@code min} to {@code max}, or (absent or blank) its default. */
    public int integer(String key, int min, int max) {
        return integer(key, Integer.parseInt(defaultValue(key)), min, max);
    }

    /** A whole number from {@code min} to {@code max}, or (absent or blank) the value it inherits. */
    public int integer(String key, int inherited, int min, int max) {
        Integer n = optionalInteger(key, min, max);
        return n == null ? inherited : n;
    }

    /** A whole number from {@code min} to {@code max}, or null when absent, blank or invalid (then reported). */
    public Integer optionalInteger(String key, int min, int max) {
        String v = string(key);
        if (v == null) {
            return null;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problem(key, v, "a whole number from " + min + " to " + max);
        return null;
    }

    /** A duration, or (absent or blank) its default. */
    public Duration duration(String key) {
        return duration(key, defaultDuration(key), false);
    }

    /** A duration, or (absent or blank) {@code inherited}: another setting's value, or null for none. */
    public Duration duration(String key, Duration inherited) {
        return duration(key, inherited, false);
    }

    /** A duration above zero, or (absent or blank) its default. */
    public Duration positiveDuration(String key) {
        return duration(key, defaultDuration(key), true);
    }

    /** A duration above zero, or (absent or blank) {@code inherited}: another setting's value, or null for none. */
    public Duration positiveDuration(String key, Duration inherited) {
        return duration(key, inherited, true);
    }

    /** The key's default as a duration (see {@link #defaultValue}). */
    Duration defaultDuration(String key) {
        Duration d = ValueSyntax.duration(defaultValue(key));
        if (d == null) {
            throw Defaults.invalid(key, "a duration");
        }
        return d;
    }

    private Duration duration(String key, Duration fallback, boolean positive) {
        String v = string(key);
        if (v == null) {
            return fallback;
        }
        Duration d = ValueSyntax.duration(v);
        if (d == null) {
            problem(key, v, "a duration (e.g. 500ms, 5s, 1m)");
            return fallback;
        }
        if (positive && d.isZero()) {
            problem(key, v, "a duration above zero");
            return fallback;
        }
        return d;
    }

    /**
     * A size in bytes, or (absent or blank) its default: a number with an optional unit B, KB/KiB, MB/MiB, GB/GiB
     * (all powers of 1024).
     */
    public long size(String key) {
        long d = ValueSyntax.size(defaultValue(key));
        if (d < 0) {
            throw Defaults.invalid(key, "a size");
        }
        return size(key, d);
    }

    /** A size in bytes, or (absent or blank) the value it inherits from another setting. */
    public long size(String key, long inherited) {
        String v = string(key);
        if (v == null) {
            return inherited;
        }
        long n = ValueSyntax.size(v);
        if (n < 0) {
            problem(key, v, "a size (e.g. 512KB, 10MB, 1GB)");
            return inherited;
        }
        return n;
    }

    public URI uri(String key, String v, List<String> schemes) {
        try {
            URI u = new URI(v);
            if (u.getScheme() != null && schemes.contains(u.getScheme().toLowerCase(Locale.ROOT))
                    && u.getHost() != null && u.getRawQuery() == null && u.getRawFragment() == null) {
                return u;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        problem(key, v, "an absolute URI with a host and scheme " + String.join(" or ", schemes));
        return null;
    }

    /** Whether the key is present at all, even with an empty value. Marks the key as known. */
    public boolean isSet(String key) {
        used.add(key);
        return values.containsKey(key);
    }

    /** The distinct names {@code n} for which some key {@code prefix + n + "." + ...} exists. */
    public Set<String> names(String prefix) {
        Set<String> names = new TreeSet<>();
        for (String key : values.keySet()) {
            if (key.startsWith(prefix)) {
                int dot = key.indexOf('.', prefix.length());
                if (dot > prefix.length()) {
                    names.add(key.substring(prefix.length(), dot));
                }
            }
        }
        return names;
    }

    /** The keys under a prefix, with the prefix removed; marks them known. */
    public Map<String, String> under(String prefix) {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix) && k.length() > prefix.length()) {
                used.add(k);
                out.put(k.substring(prefix.length()), v.trim());
            }
        });
        return out;
    }

    /**
     * One of a fixed set of choices under {@code key}, by its configuration label; its default when the key is
     * absent or blank; null (and a problem listing the labels) when its value is none of them.
     */
    public <E extends Enum<E>> E choice(String key, E[] values, Function<E, String> label) {
        return choice(key, key, values, label);
    }

    /**
     * {@link #choice(String, Enum[], Function)} for a key whose default depends on another setting: when absent or
     * blank, the default of {@code defaultKey} (a template of the defaults file that names the case).
     */
    public <E extends Enum<E>> E choice(String key, String defaultKey, E[] values, Function<E, String> label) {
        if (string(key) != null) {
            return optionalChoice(key, values, label);
        }
        E e = ValueSyntax.choice(defaultValue(defaultKey), values, label);
        if (e == null) {
            throw Defaults.invalid(defaultKey, "one of " + ValueSyntax.labels(values, label));
        }
        return e;
    }

    /** One of a fixed set of choices, or null when absent or blank (and, reported, when none of them). */
    public <E extends Enum<E>> E optionalChoice(String key, E[] values, Function<E, String> label) {
        String v = string(key);
        if (v == null) {
            return null;
        }
        E e = ValueSyntax.choice(v, values, label);
        if (e == null) {
            problem(key, v, ValueSyntax.labels(values, label));
        }
        return e;
    }

    /**
     * Records a problem; the value is shown as {@link Secrets#shown} allows (masked for a secret key, without user
     * info). When the key's value holds an {@code @}, the whole value is shown that way, never a part of a list.
     */
    public void problem(String key, String value, String expected) {
        String raw = values.get(key);
        if (value != null && raw != null && raw.indexOf('@') >= 0) {
            // a part of a list split at a comma inside a password would hide the user info it belongs to
            value = raw.trim();
        }
        String shown = Secrets.declared().shown(key, value);
        problems.add(key + " = " + (shown == null ? "(missing)" : "\"" + shown + "\"") + ": expected " + expected);
    }

    /**
     * Throws a {@link ConfigException} listing every problem, unknown {@code gateway.*} keys included. An unknown
     * key is most often a misspelled one, perhaps of a secret, so its value is never shown; the nearest known key
     * is suggested instead.
     */
    public void finish() {
        for (String key : values.keySet()) {
            if (key.startsWith("gateway.") && !used.contains(key)) {
                String near = KeyDistance.nearest(key, used);
                problems.add(key + ": unknown key" + (near == null ? "" : " (did you mean " + near + "?)"));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }
}
