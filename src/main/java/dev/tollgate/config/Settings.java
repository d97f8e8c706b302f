package dev.tollgate.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
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
 * Not thread-safe: used by one thread while the configuration is loaded.
 */
public final class Settings {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)(B|KB|KiB|MB|MiB|GB|GiB)?");

    private final Map<String, String> values;
    private final Set<String> used = new HashSet<>();
    private final List<String> problems = new ArrayList<>();

    public Settings(Map<String, String> values) {
        this.values = new TreeMap<>(values);
    }

    /** The raw value, trimmed, or {@code null} when absent or blank. Marks the key as known. */
    public String string(String key) {
        used.add(key);
        String v = values.get(key);
        if (v == null) {
            return null;
        }
        v = v.trim();
        return v.isEmpty() ? null : v;
    }

    public String string(String key, String fallback) {
        String v = string(key);
        return v == null ? fallback : v;
    }

    public String required(String key) {
        String v = string(key);
        if (v == null) {
            problem(key, values.get(key), "a value is required");
        }
        return v;
    }

    public List<String> list(String key) {
        String v = string(key);
        if (v == null) {
            return List.of();
        }
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public boolean bool(String key, boolean fallback) {
        String v = string(key);
        if (v == null) {
            return fallback;
        }
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true": return true;
            case "false": return false;
            default:
                problem(key, v, "true or false");
                return fallback;
        }
    }

    public int integer(String key, int fallback, int min, int max) {
        String v = string(key);
        if (v == null) {
            return fallback;
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
        return fallback;
    }

    public Duration duration(String key, Duration fallback) {
        return duration(key, fallback, false);
    }

    /** A duration that must be above zero. */
    public Duration positiveDuration(String key, Duration fallback) {
        return duration(key, fallback, true);
    }

    private Duration duration(String key, Duration fallback, boolean positive) {
        String v = string(key);
        if (v == null) {
            return fallback;
        }
        Matcher m = DURATION.matcher(v);
        if (m.matches() && m.group(1).length() <= 9) {
            long n = Long.parseLong(m.group(1));
            Duration d;
            switch (m.group(2)) {
                case "ms": d = Duration.ofMillis(n); break;
                case "s": d = Duration.ofSeconds(n); break;
                case "m": d = Duration.ofMinutes(n); break;
                case "h": d = Duration.ofHours(n); break;
                default: d = Duration.ofDays(n); break;
            }
            if (!positive || !d.isZero()) {
                return d;
            }
            problem(key, v, "a duration above zero");
            return fallback;
        }
        problem(key, v, "a duration (e.g. 500ms, 5s, 1m)");
        return fallback;
    }

    /** A size in bytes: a number with an optional unit B, KB/KiB, MB/MiB, GB/GiB (all powers of 1024). */
    public long size(String key, long fallback) {
        String v = string(key);
        if (v == null) {
            return fallback;
        }
        Matcher m = SIZE.matcher(v);
        if (m.matches() && m.group(1).length() <= 15) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "B" : m.group(2);
            int shift = unit.charAt(0) == 'K' ? 10 : unit.charAt(0) == 'M' ? 20 : unit.charAt(0) == 'G' ? 30 : 0;
            if (n <= Long.MAX_VALUE >> shift) {
                return n << shift;
            }
        }
        problem(key, v, "a size (e.g. 512KB, 10MB, 1GB)");
        return fallback;
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
     * One of a fixed set of choices under {@code key}, by its configuration label: {@code fallback} when the key
     * is absent, null (and a problem listing the labels) when its value is none of them.
     */
    public <E extends Enum<E>> E choice(String key, E[] values, E fallback, Function<E, String> label) {
        String v = string(key);
        if (v == null) {
            return fallback;
        }
        List<String> labels = new ArrayList<>();
        for (E e : values) {
            if (label.apply(e).equals(v)) {
                return e;
            }
            labels.add(label.apply(e));
        }
        problem(key, v, String.join(", ", labels));
        return null;
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
