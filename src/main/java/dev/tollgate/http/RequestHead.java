package dev.tollgate.http;

import java.util.List;
import java.util.Objects;

/**
 * The parts of a request head that the hygiene checks read, as plain values: whatever container parsed the
 * request, the checks see the same thing. Immutable.
 *
 * @param method the request method, e.g. {@code GET}
 * @param target the request target as received: path and, after {@code ?}, the query
 * @param protocol e.g. {@code HTTP/1.1} or {@code HTTP/2.0}
 * @param serverName the host the container resolved the request to (from an absolute-form target or Host)
 * @param fields every header field in the order the container lists them, one entry per value
 */
public record RequestHead(String method, String target, String protocol, String serverName, List<Field> fields) {

    /** One header field: a name and one of its values. */
    public record Field(String name, String value) {
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    public RequestHead {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(serverName, "serverName");
        fields = List.copyOf(fields);
    }

    /** The first value of the header, compared without regard to case as RFC 9110 section 5.1 says, or null. */
    public String first(String name) {
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                return f.value();
            }
        }
        return null;
    }

    /** How many field values the header has. */
    public int count(String name) {
        int n = 0;
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                n++;
            }
        }
        return n;
    }
}
