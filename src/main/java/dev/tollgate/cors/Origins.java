package dev.tollgate.cors;

import dev.tollgate.config.CorsConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The origins a route allows: exact serialized origins, patterns {@code scheme://*.domain[:port]} (one or more
 * labels in place of the {@code *}), or every origin. Compared without regard to case. Immutable and thread-safe.
 */
final class Origins {
    private final boolean any;
    private final Set<String> exact = new HashSet<>();
    private final String[] prefixes;
    private final String[] suffixes;

    /** @param configured validated entries in lower case, as {@link CorsConfig#allowedOrigins()} holds them */
    Origins(List<String> configured) {
        this.any = configured.contains(CorsConfig.ANY);
        List<String> pre = new ArrayList<>();
        List<String> suf = new ArrayList<>();
        for (String o : configured) {
            int star = o.indexOf("://*.");
            if (star > 0) {
                pre.add(o.substring(0, star + 3));
                suf.add(o.substring(star + 4));
            } else {
                exact.add(o);
            }
        }
        this.prefixes = pre.toArray(new String[0]);
        this.suffixes = suf.toArray(new String[0]);
    }

    boolean isAny() {
        return any;
    }

    /** Whether a request's {@code Origin} value is allowed. */
    boolean allows(String origin) {
        if (any) {
            return true;
        }
        String o = origin.toLowerCase(Locale.ROOT);
        if (exact.contains(o)) {
            return true;
        }
        for (int i = 0; i < prefixes.length; i++) {
            if (o.startsWith(prefixes[i]) && o.endsWith(suffixes[i])
                    && isLabels(o, prefixes[i].length(), o.length() - suffixes[i].length())) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code s[from, to)} is one or more host labels: no port, path or empty label can hide in it. */
    private static boolean isLabels(String s, int from, int to) {
        if (to <= from || s.charAt(from) == '.' || s.charAt(to - 1) == '.') {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' && s.charAt(i - 1) != '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
