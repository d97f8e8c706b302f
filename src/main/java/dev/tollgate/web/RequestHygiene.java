package dev.tollgate.web;

import dev.tollgate.http.HeadChecks;
import dev.tollgate.http.HeaderField;
import dev.tollgate.http.ReceivedHead;
import dev.tollgate.http.Rejection;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;

/**
 * The servlet side of {@link HeadChecks}: reads the request's head into a {@link ReceivedHead} and checks it.
 * Stateless.
 */
final class RequestHygiene {
    private RequestHygiene() {
    }

    /** Empty when the request may go on under {@code checks}, else why it is refused. */
    static Optional<Rejection> check(HttpServletRequest req, HeadChecks checks) {
        return checks.check(head(req));
    }

    /** The head as the container parsed it; header fields grouped by name, in the container's order. */
    static ReceivedHead head(HttpServletRequest req) {
        List<HeaderField> fields = new ArrayList<>();
        for (Enumeration<String> names = req.getHeaderNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            for (Enumeration<String> values = req.getHeaders(name); values.hasMoreElements(); ) {
                fields.add(new HeaderField(name, values.nextElement()));
            }
        }
        String query = req.getQueryString();
        String uri = req.getRequestURI();
        return new ReceivedHead(req.getMethod(), query == null ? uri : uri + '?' + query, req.getProtocol(),
                req.getServerName(), fields);
    }

    /** The host part of a Host header value, or null when malformed (see {@link HeadChecks#hostName}). */
    static String hostName(String host) {
        return HeadChecks.hostName(host);
    }
}
