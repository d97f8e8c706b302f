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
        String cl = lengths == 1 ? req.getHeader(Headers.CONTENT_LENGTH).trim() : null;
        if (cl != null && (cl.isEmpty() || cl.length() > 18 || !allDigits(cl, 0, cl.length()))) {
            return new Rejection(400, "The Content-Length header is malformed.", true);
        }
        return null;
    }

    /**
     * The host part of a Host header value (lower case, IPv6 in brackets kept), or null when malformed. Hand-written
     * rather than regular expressions: it runs on every request.
     */
    static String hostName(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        int end;
        if (host.charAt(0) == '[') {
            end = host.indexOf(']');
            if (end < 2 || !allOf(host, 1, end, IPV6_CHARS)) {
                return null;
            }
            end++;
        } else {
            end = host.indexOf(':');
            if (end < 0) {
                end = host.length();
            }
            if (end == 0 || !allOf(host, 0, end, REG_NAME_CHARS)) {
                return null;
            }
        }
        if (end < host.length() && !isPort(host, end)) {
            return null;
        }
        return host.substring(0, end).toLowerCase(Locale.ROOT);
    }

    private static final String IPV6_CHARS = "0123456789abcdefABCDEF:.";
    private static final String REG_NAME_CHARS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~!$&'()*+,;=%-";

    private static boolean allOf(String s, int from, int to, String allowed) {
        for (int i = from; i < to; i++) {
            if (allowed.indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** {@code :} followed by 1 to 5 digits, up to the end of the string. */
    private static boolean isPort(String s, int colon) {
        int digits = s.length() - colon - 1;
        return s.charAt(colon) == ':' && digits >= 1 && digits <= 5 && allDigits(s, colon + 1, s.length());
    }

    private static boolean allDigits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
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
