package dev.tollgate.web;

import dev.tollgate.config.LimitsConfig;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Enumeration;
import java.util.Locale;

/**
 * Checks a request's head before it is routed: framing (request smuggling), Host, header syntax and counts,
 * target length and form. The servlet container's parser catches most of this first; these checks hold the
 * line on any container. Stateless apart from its limits; thread-safe.
 */
final class RequestHygiene {
    private final LimitsConfig limits;

    RequestHygiene(LimitsConfig limits) {
        this.limits = limits;
    }

    /** Why a request is refused. */
    record Rejection(int status, String detail, boolean close) {
    }

    /** The rejection for this request, or null when it may go on. */
    Rejection check(HttpServletRequest req) {
        String method = req.getMethod();
        if ("CONNECT".equals(method)) {
            return new Rejection(400, "CONNECT is not supported by this gateway.", true);
        }
        String query = req.getQueryString();
        int targetLength = req.getRequestURI().length() + (query == null ? 0 : query.length() + 1);
        if (targetLength > limits.maxUriLength()) {
            return new Rejection(414, "The request target is longer than " + limits.maxUriLength() + " characters.", true);
        }
        Rejection headers = checkHeaders(req);
        if (headers != null) {
            return headers;
        }
        if ("OPTIONS".equals(method) && req.getContentType() == null
                && (req.getContentLengthLong() > 0 || req.getHeader(Headers.TRANSFER_ENCODING) != null)) {
            // RFC 9110 section 9.3.7: an OPTIONS body must be described by Content-Type
            return new Rejection(400, "An OPTIONS request with a body needs a Content-Type.", true);
        }
        boolean http1 = req.getProtocol().startsWith("HTTP/1.");
        return http1 ? checkFraming(req) : null;
    }

    private Rejection checkHeaders(HttpServletRequest req) {
        int count = 0;
        for (Enumeration<String> names = req.getHeaderNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            if (limits.rejectUnderscoreHeaders() && name.indexOf('_') >= 0) {
                return new Rejection(400, "Header names with an underscore are not accepted.", true);
            }
            for (Enumeration<String> values = req.getHeaders(name); values.hasMoreElements(); ) {
                String v = values.nextElement();
                if (++count > limits.maxHeaderCount()) {
                    return new Rejection(431, "More than " + limits.maxHeaderCount() + " header fields.", true);
                }
                if (hasControl(v)) {
                    return new Rejection(400, "A header value holds a control character.", true);
                }
            }
        }
        return null;
    }

    private static boolean hasControl(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    private static Rejection checkFraming(HttpServletRequest req) {
        int hosts = count(req.getHeaders(Headers.HOST));
        if (hosts != 1) {
            return new Rejection(400, hosts == 0 ? "The Host header is missing." : "More than one Host header.", true);
        }
        String host = req.getHeader(Headers.HOST);
        String hostName = hostName(host);
        if (hostName == null) {
            return new Rejection(400, "The Host header is malformed.", true);
        }
        if (!hostName.equalsIgnoreCase(req.getServerName())) {
            // absolute-form target naming another host than the Host header (RFC 9112 §3.2.2)
            return new Rejection(400, "The request target names a host this gateway does not serve.", true);
        }
        String te = req.getHeader(Headers.TRANSFER_ENCODING);
        int lengths = count(req.getHeaders(Headers.CONTENT_LENGTH));
        if (te != null) {
            if (lengths > 0) {
                return new Rejection(400, "Content-Length together with Transfer-Encoding is not accepted.", true);
            }
            if ("HTTP/1.0".equals(req.getProtocol())) {
                return new Rejection(400, "Transfer-Encoding is not accepted on HTTP/1.0.", true);
            }
            if (count(req.getHeaders(Headers.TRANSFER_ENCODING)) != 1
                    || !te.trim().toLowerCase(Locale.ROOT).equals("chunked")) {
                return new Rejection(501, "Only the chunked transfer coding is supported.", true);
            }
        }
        if (lengths > 1) {
            return new Rejection(400, "More than one Content-Length header.", true);
        }
        if (lengths == 1 && !req.getHeader(Headers.CONTENT_LENGTH).trim().matches("[0-9]{1,18}")) {
            return new Rejection(400, "The Content-Length header is malformed.", true);
        }
        return null;
    }

    /** The host part of a Host header value (lower case, IPv6 in brackets kept), or null when malformed. */
    static String hostName(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        String h = host;
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            if (end < 0 || !h.substring(1, end).matches("[0-9a-fA-F:.]+")) {
                return null;
            }
            String rest = h.substring(end + 1);
            if (!rest.isEmpty() && !rest.matches(":[0-9]{1,5}")) {
                return null;
            }
            return h.substring(0, end + 1).toLowerCase(Locale.ROOT);
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            if (!h.substring(colon).matches(":[0-9]{1,5}")) {
                return null;
            }
            h = h.substring(0, colon);
        }
        return h.matches("[A-Za-z0-9._~!$&'()*+,;=%-]+") ? h.toLowerCase(Locale.ROOT) : null;
    }

    private static int count(Enumeration<String> e) {
        int n = 0;
        while (e.hasMoreElements()) {
            e.nextElement();
            n++;
        }
        return n;
    }
}
