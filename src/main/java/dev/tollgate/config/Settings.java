package dev.tollgate.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, validating reads over the merged properties. Every read marks its key as known; problems are
 * collected, not thrown, so that {@link #finish()} can report all of them at once, unknown keys included.
 *
 * <p>Defaults come from the built-in defaults file only. A read without a fallback takes the key's value, else
 * (absent or blank) its default: the defaults file's entry for the key, or a <em>template</em> of it. A template
 * is a defaults-file key with {@code *} in place of a name ({@code gateway.routes.*.preserve-host}); the
 * {@code *} stands for exactly one name segment, any text without a dot (as {@link #names} finds names).
 * Templates are no keys of their own: they are not shown, not matched by environment variables and never
 * reported as unknown. A key read without a fallback that has no default is a programming error
 * ({@link IllegalStateException}). Not thread-safe: used by one thread while the configuration is loaded.
 */
public final class Settings {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)(B|KB|KiB|MB|MiB|GB|GiB)?");
    private static final String ANY = "*";

    private final Map<String, String> values;
    private final Map<String, String> defaults = new TreeMap<>();
    private final Map<List<String>, String> templates = new LinkedHashMap<>();
    private final Set<String> used = new HashSet<>();
    private final List<String> problems = new ArrayList<>();

    /**
     * @param values the merged properties, templates left out
     * @param defaults the built-in defaults, templates included
     */
    public Settings(Map<String, String> values, Map<String, String> defaults) {
        this.values = new TreeMap<>(values);
        defaults.forEach((k, v) -> {
            if (isTemplate(k)) {
                templates.put(List.of(k.split("\\.", -1)), v);
            } else {
                this.defaults.put(k, v);
            }
        });
    }

    /** Whether a defaults-file key is a template: a {@code *} in place of a name. */
    public static boolean isTemplate(String key) {
        return Arrays.asList(key.split("\\.", -1)).contains(ANY);
    }

    /** The entries of {@code defaults} that are no templates. */
    public static Map<String, String> withoutTemplates(Map<String, String> defaults) {
        Map<String, String> out = new TreeMap<>(defaults);
        out.keySet().removeIf(Settings::isTemplate);
        return out;
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
        String v = defaultEntry(key);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("no default for " + key + " in the defaults file");
        }
        return v.trim();
    }

    /** The defaults file's entry for the key, or of a template that matches it; null when neither exists. */
    private String defaultEntry(String key) {
        String v = defaults.get(key);
        return v != null ? v : template(key);
    }

    /** The value of the template that matches the key, or null. */
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

    public String required(String key) {
        String v = string(key);
        if (v == null) {
            problem(key, values.get(key), "a value is required");
        }
        return v;
    }

    /** The comma-separated entries; empty when absent or blank. */
    public List<String> list(String key) {
        return split(string(key));
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
        String d = defaultEntry(key);
        if (d == null) {
            throw new IllegalStateException("no default for " + key + " in the defaults file");
        }
        return split(d.trim());
    }

    /** The comma-separated entries of a value, trimmed, empty ones left out. */
    static List<String> split(String v) {
        if (v == null || v.isEmpty()) {
            return List.of();
        }
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** A boolean, or (absent or blank) its default. */
    public boolean bool(String key) {
        return bool(key, parseBool(defaultValue(key)));
    }

    /** A boolean, or (absent or blank) the value of the setting it inherits from. */
    public boolean bool(String key, boolean inherited) {
        String v = string(key);
        if (v == null) {
            return inherited;
        }
        Boolean b = parseBool(v);
        if (b == null) {
            problem(key, v, "true or false");
            return inherited;
        }
        return b;
    }

    private static Boolean parseBool(String v) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true": return true;
            case "false": return false;
            default: return null;
        }
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
        Duration d = parseDuration(defaultValue(key));
        if (d == null) {
            throw new IllegalStateException("the default of " + key + " is not a duration");
        }
        return d;
    }

    private Duration duration(String key, Duration fallback, boolean positive) {
        String v = string(key);
        if (v == null) {
            return fallback;
        }
        Duration d = parseDuration(v);
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

    private static Duration parseDuration(String v) {
        Matcher m = DURATION.matcher(v);
        if (!m.matches() || m.group(1).length() > 9) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms": return Duration.ofMillis(n);
            case "s": return Duration.ofSeconds(n);
            case "m": return Duration.ofMinutes(n);
            case "h": return Duration.ofHours(n);
            default: return Duration.ofDays(n);
        }
    }

    /**
     * A size in bytes, or (absent or blank) its default: a number with an optional unit B, KB/KiB, MB/MiB, GB/GiB
     * (all powers of 1024).
     */
    public long size(String key) {
        long d = parseSize(defaultValue(key));
        if (d < 0) {
            throw new IllegalStateException("the default of " + key + " is not a size");
        }
        return size(key, d);
    }

    /** A size in bytes, or (absent or blank) the value it inherits from another setting. */
    public long size(String key, long inherited) {
        String v = string(key);
        if (v == null) {
            return inherited;
        }
        long n = parseSize(v);
        if (n < 0) {
            problem(key, v, "a size (e.g. 512KB, 10MB, 1GB)");
            return inherited;
        }
        return n;
    }

    private static long parseSize(String v) {
        Matcher m = SIZE.matcher(v);
        if (m.matches() && m.group(1).length() <= 15) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "B" : m.group(2);
            int shift = unit.charAt(0) == 'K' ? 10 : unit.charAt(0) == 'M' ? 20 : unit.charAt(0) == 'G' ? 30 : 0;
            if (n <= Long.MAX_VALUE >> shift) {
                return n << shift;
            }
        }
        return -1;
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
        E e = parse(defaultValue(defaultKey), values, label);
        if (e == null) {
            throw new IllegalStateException("the default of " + defaultKey + " is none of " + labels(values, label));
        }
        return e;
    }

    /** One of a fixed set of choices, or null when absent or blank (and, reported, when none of them). */
    public <E extends Enum<E>> E optionalChoice(String key, E[] values, Function<E, String> label) {
        String v = string(key);
        if (v == null) {
            return null;
        }
        E e = parse(v, values, label);
        if (e == null) {
            problem(key, v, labels(values, label));
        }
        return e;
    }

    private static <E extends Enum<E>> E parse(String v, E[] values, Function<E, String> label) {
        for (E e : values) {
            if (label.apply(e).equals(v)) {
                return e;
            }
        }
        return null;
    }

    private static <E extends Enum<E>> String labels(E[] values, Function<E, String> label) {
        List<String> labels = new ArrayList<>();
        for (E e : values) {
            labels.add(label.apply(e));
        }
        String last = labels.remove(labels.size() - 1);
        return labels.isEmpty() ? last : String.join(", ", labels) + " or " + last;
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
