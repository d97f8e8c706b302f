package dev.tollgate.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One claim sent upstream as a header on a route ({@code gateway.routes.<name>.claim-headers.<Header> = <claim>}).
 *
 * @param header the header name as configured
 * @param claim the claim as written: a name, a dotted path ({@code realm_access.roles}) or a JSON pointer
 *              ({@code /realm_access/roles}, RFC 6901)
 * @param path the member names (or array indexes) that lead from the claims object to the value
 */
public record ClaimHeader(String header, String claim, List<String> path) {
    public ClaimHeader {
        path = List.copyOf(path);
    }

    /** The header name in lower case with {@code _} as {@code -}: how an upstream framework may read it. */
    public String normalizedHeader() {
        return normalize(header);
    }

    static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The steps of a claim path, or null when it is not one. A path that starts with {@code /} is a JSON pointer:
     * steps split on {@code /}, with {@code ~1} for {@code /} and {@code ~0} for {@code ~}, so that a claim name
     * holding dots ({@code https://example.com/tenant}) can be reached. Any other path splits on {@code .}; each
     * step must be non-empty.
     */
    public static List<String> parse(String claim) {
        if (claim.isEmpty()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        if (claim.charAt(0) == '/') {
            for (String raw : claim.substring(1).split("/", -1)) {
                String step = unescape(raw);
                if (step == null) {
                    return null;
                }
                out.add(step);
            }
            return out;
        }
        for (String step : claim.split("\\.", -1)) {
            if (step.isEmpty()) {
                return null;
            }
            out.add(step);
        }
        return out;
    }

    /** RFC 6901 section 4: {@code ~1} is {@code /}, {@code ~0} is {@code ~}; any other {@code ~} is an error. */
    private static String unescape(String raw) {
        if (raw.indexOf('~') < 0) {
            return raw;
        }
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '~') {
                out.append(c);
            } else if (i + 1 < raw.length() && (raw.charAt(i + 1) == '0' || raw.charAt(i + 1) == '1')) {
                out.append(raw.charAt(++i) == '0' ? '~' : '/');
            } else {
                return null;
            }
        }
        return out.toString();
    }
}
