package dev.tollgate.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How configuration values are written: booleans, durations, sizes, lists and choices. Stateless. */
final class ValueSyntax {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)(B|KB|KiB|MB|MiB|GB|GiB)?");

    private ValueSyntax() {
    }

    /** {@code true} or {@code false} in any case; null for anything else. */
    static Boolean bool(String v) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true": return true;
            case "false": return false;
            default: return null;
        }
    }

    /** A number with a unit ms, s, m, h or d; null when it is none. */
    static Duration duration(String v) {
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

    /** A number of bytes with an optional unit B, KB/KiB, MB/MiB, GB/GiB (all powers of 1024); -1 when none. */
    static long size(String v) {
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

    /** The comma-separated entries of a value, trimmed, empty ones left out; empty for null. */
    static List<String> split(String v) {
        if (v == null || v.isEmpty()) {
            return List.of();
        }
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** The choice whose label is {@code v}, or null. */
    static <E extends Enum<E>> E choice(String v, E[] values, Function<E, String> label) {
        for (E e : values) {
            if (label.apply(e).equals(v)) {
                return e;
            }
        }
        return null;
    }

    /** The labels of the choices, e.g. {@code local or redis}, {@code a, b or c}. */
    static <E extends Enum<E>> String labels(E[] values, Function<E, String> label) {
        List<String> labels = new ArrayList<>();
        for (E e : values) {
            labels.add(label.apply(e));
        }
        String last = labels.remove(labels.size() - 1);
        return labels.isEmpty() ? last : String.join(", ", labels) + " or " + last;
    }
}
