package dev.tollgate.config;

import java.util.List;
import java.util.Map;

/**
 * A route's request predicates besides path, host and method: header fields, query parameters and cookies that
 * must be present with a value, {@code gateway.routes.<name>.match.header.X-Canary = 1}. A value of {@link #ANY}
 * only asks for presence. All predicates must hold.
 *
 * @param headers header name (any case) to the value one of its field values must equal
 * @param query query parameter name (after percent-decoding) to the value one of its occurrences must equal
 * @param cookies cookie name to its required value
 */
public record RequestMatch(Map<String, String> headers, Map<String, String> query, Map<String, String> cookies) {
    /** The value that asks only for presence, whatever the value. */
    public static final String ANY = "*";
    public static final RequestMatch NONE = new RequestMatch(Map.of(), Map.of(), Map.of());

    public RequestMatch {
        headers = Map.copyOf(headers);
        query = Map.copyOf(query);
        cookies = Map.copyOf(cookies);
    }

    /** How many predicates there are. */
    public int count() {
        return headers.size() + query.size() + cookies.size();
    }

    /** How many predicates ask for an exact value (not only presence). */
    public int exactCount() {
        int n = 0;
        for (Map<String, String> m : List.of(headers, query, cookies)) {
            for (String v : m.values()) {
                if (!ANY.equals(v)) {
                    n++;
                }
            }
        }
        return n;
    }

    public boolean isEmpty() {
        return count() == 0;
    }
}
