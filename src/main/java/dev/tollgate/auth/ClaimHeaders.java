package dev.tollgate.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.config.ClaimHeader;
import dev.tollgate.http.HeaderField;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route's claim headers: each configured claim path is looked up in the caller's verified claims and sent
 * upstream under its header name. Strings, numbers and booleans are sent as their text; an array of them is
 * joined with {@code ,}; a missing, null, empty or empty-array claim sends no header. A value that cannot be a
 * safe header is <em>refused</em>: an object, an array holding an object or array, a value with a control
 * character (CR, LF, NUL, HTAB or any other below U+0020, or DEL), or one longer than {@link #MAX_LENGTH} once
 * encoded. A refused header is not sent and the request goes on, as when the claim is missing (the client's own
 * header of that name is removed either way); the first refusal per route, header and reason is logged at WARN
 * without the value, later ones at DEBUG. Non-ASCII characters are percent-encoded (UTF-8), as in the
 * user-context headers. Thread-safe.
 */
public final class ClaimHeaders {
    /** The longest value sent, in characters after percent-encoding. */
    public static final int MAX_LENGTH = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(ClaimHeaders.class);

    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /**
     * The name-value pairs to send upstream.
     *
     * @param route the route's name (for the log)
     * @param mappings the route's claim headers
     * @param claims the caller's verified claims, or null (an API key: no claims, no headers)
     */
    public List<HeaderField> headers(String route, List<ClaimHeader> mappings, JsonNode claims) {
        if (mappings.isEmpty() || claims == null) {
            return List.of();
        }
        List<HeaderField> out = new ArrayList<>(mappings.size());
        for (ClaimHeader m : mappings) {
            Value v = value(claims, m.path());
            if (v.text() != null) {
                out.add(new HeaderField(m.header(), v.text()));
            } else if (v.refusal() != null) {
                refused(route, m, v.refusal());
            }
        }
        return out;
    }

    private void refused(String route, ClaimHeader m, String reason) {
        if (warned.add(route + '\n' + m.header() + '\n' + reason)) {
            LOG.warn("route={} claim-header={} claim={}: header not sent, {} "
                    + "(logged once per route, header and reason)", route, m.header(), m.claim(), reason);
        } else {
            LOG.debug("route={} claim-header={} claim={}: header not sent, {}", route,
                    m.header(), m.claim(), reason);
        }
    }

    /**
     * A claim's header value: text to send, or the reason it is refused; neither when there is nothing to send.
     *
     * @param text the value to send, or null
     * @param refusal why the value cannot be sent, or null
     */
    record Value(String text, String refusal) {
        static final Value ABSENT = new Value(null, null);

        static Value of(String text) {
            return new Value(text, null);
        }

        static Value refused(String reason) {
            return new Value(null, reason);
        }
    }

    /** The value at the path: member names, or indexes into arrays. */
    static Value value(JsonNode claims, List<String> path) {
        JsonNode n = claims;
        for (String step : path) {
            if (n == null) {
                return Value.ABSENT;
            }
            n = n.isArray() ? element(n, step) : n.get(step);
        }
        if (n == null || n.isNull() || n.isMissingNode()) {
            return Value.ABSENT;
        }
        if (n.isObject()) {
            return Value.refused("the value is an object");
        }
        String text;
        if (n.isArray()) {
            List<String> items = new ArrayList<>(n.size());
            for (JsonNode item : n) {
                if (item.isContainerNode()) {
                    return Value.refused("the value is an array holding an object or array");
                }
                if (!item.isNull()) {
                    items.add(item.asText());
                }
            }
            text = String.join(",", items);
        } else {
            text = n.asText();
        }
        return checked(text);
    }

    private static JsonNode element(JsonNode array, String step) {
        // RFC 6901 section 4: an index is 0 or digits without a leading zero
        if (step.isEmpty() || step.length() > 9 || step.length() > 1 && step.charAt(0) == '0'
                || !step.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        return array.get(Integer.parseInt(step));
    }

    private static Value checked(String text) {
        if (text.isEmpty()) {
            return Value.ABSENT;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return Value.refused("the value holds a control character");
            }
        }
        String safe = text.length() > MAX_LENGTH ? text : UserContext.safe(text);
        return safe.length() > MAX_LENGTH ? Value.refused("the value is longer than " + MAX_LENGTH + " characters")
                : Value.of(safe);
    }
}
