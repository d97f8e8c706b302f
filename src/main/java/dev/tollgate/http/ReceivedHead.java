package dev.tollgate.http;

import java.util.List;
import java.util.Objects;

/**
 * A request head as the container received it, in the parts that the hygiene checks read, as plain values:
 * whatever container parsed the request, the checks see the same thing. Immutable.
 *
 * @param method the request method, e.g. {@code GET}
 * @param target the request target as received: path and, after {@code ?}, the query
 * @param protocol e.g. {@code HTTP/1.1} or {@code HTTP/2.0}
 * @param serverName the host the container resolved the request to (from an absolute-form target or Host)
 * @param fields every header field in the order the container lists them, one entry per value
 */
public record ReceivedHead(String method, String target, String protocol, String serverName,
                           List<HeaderField> fields) {
    public ReceivedHead {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(serverName, "serverName");
        for (HeaderField f : fields) {
            Objects.requireNonNull(f.name(), "name");
            Objects.requireNonNull(f.value(), "value");
        }
        fields = List.copyOf(fields);
    }

    /** The first value of the header, compared without regard to case as RFC 9110 section 5.1 says, or null. */
    public String first(String name) {
        for (HeaderField f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                return f.value();
            }
        }
        return null;
    }

    /** How many field values the header has. */
    public int count(String name) {
        int n = 0;
        for (HeaderField f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                n++;
            }
        }
        return n;
    }
}
