package dev.tollgate.resilience;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Which responses the last-good-response cache may keep, and which requests it may answer, following the rules
 * of a shared cache (RFC 9111): only GET; only statuses cacheable by default (RFC 9110 §15.1) except partial
 * content; never {@code no-store}, {@code private}, {@code no-cache} or a directive that forbids serving stale
 * ({@code must-revalidate}, {@code proxy-revalidate}, {@code s-maxage}, RFC 9111 §4.2.4); never {@code Vary: *}
 * or {@code Set-Cookie}; never a response to a request with credentials ({@code Authorization}, {@code Cookie},
 * §3.5) unless the route declares its content public. Headers are given as name to values (case-insensitive
 * names). Stateless.
 */
public final class Cacheability {
    private static final Set<Integer> STATUSES = Set.of(200, 203, 204, 300, 301, 308, 404, 410);
    private static final Set<String> FORBIDDING = Set.of("no-store", "private", "no-cache", "must-revalidate",
            "proxy-revalidate", "s-maxage");

    private Cacheability() {
    }

    /** Whether the response to this request may be kept. */
    public static boolean storable(String method, int status, Function<String, List<String>> request,
                                   Function<String, List<String>> response, boolean publicContent) {
        if (!"GET".equals(method) || !STATUSES.contains(status)) {
            return false;
        }
        if (hasAny(directives(request.apply("Cache-Control")), Set.of("no-store"))) {
            return false;
        }
        if (hasAny(directives(response.apply("Cache-Control")), FORBIDDING)
                || !response.apply("Set-Cookie").isEmpty()
                || varyNames(response.apply("Vary")).contains("*")) {
            return false;
        }
        return publicContent || !hasCredentials(request);
    }

    /** Whether a kept response may answer this request (the same rules about credentials). */
    public static boolean servable(String method, Function<String, List<String>> request, boolean publicContent) {
        return ("GET".equals(method) || "HEAD".equals(method)) && (publicContent || !hasCredentials(request));
    }

    static boolean hasCredentials(Function<String, List<String>> request) {
        return !request.apply("Authorization").isEmpty() || !request.apply("Cookie").isEmpty();
    }

    /** The lower-case header names a {@code Vary} field list names. */
    public static List<String> varyNames(List<String> vary) {
        List<String> out = new ArrayList<>();
        for (String v : vary) {
            for (String name : v.split(",")) {
                String n = name.trim().toLowerCase(Locale.ROOT);
                if (!n.isEmpty()) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    /** The directive names of {@code Cache-Control} values, lower case, arguments dropped. */
    static List<String> directives(List<String> cacheControl) {
        List<String> out = new ArrayList<>();
        for (String v : cacheControl) {
            boolean quoted = false;
            StringBuilder cur = new StringBuilder();
            for (int i = 0; i <= v.length(); i++) {
                char c = i < v.length() ? v.charAt(i) : ',';
                if (c == '"') {
                    quoted = !quoted;
                }
                if (c == ',' && !quoted) {
                    String d = cur.toString().trim();
                    int eq = d.indexOf('=');
                    d = (eq >= 0 ? d.substring(0, eq) : d).trim().toLowerCase(Locale.ROOT);
                    if (!d.isEmpty()) {
                        out.add(d);
                    }
                    cur.setLength(0);
                } else {
                    cur.append(c);
                }
            }
        }
        return out;
    }

    private static boolean hasAny(List<String> directives, Set<String> names) {
        for (String d : directives) {
            if (names.contains(d)) {
                return true;
            }
        }
        return false;
    }
}
