package dev.tollgate.http;

import dev.tollgate.config.LimitsConfig;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks a request's head before it is routed: framing (request smuggling), Host, header syntax and counts,
 * target length and form. The servlet container's parser catches most of this first; these checks hold the
 * line on any container. Pure: the same head always gives the same answer. Stateless apart from its limits;
 * thread-safe.
 */
public final class HeadChecks {
    private static final String HOST = HeaderNames.HOST;
    private static final String CONTENT_LENGTH = "Content-Length";
    private static final String CONTENT_TYPE = "Content-Type";
    private static final String TRANSFER_ENCODING = "Transfer-Encoding";

    private final LimitsConfig limits;

    public HeadChecks(LimitsConfig limits) {
        this.limits = limits;
    }

    /** Empty when the request may go on, else why it is refused. */
    public Optional<Rejection> check(ReceivedHead head) {
        String method = head.method();
        if ("CONNECT".equals(method)) {
            return reject(400, "CONNECT is not supported by this gateway.");
        }
        if (head.target().length() > limits.maxUriLength()) {
            return reject(414, "The request target is longer than " + limits.maxUriLength() + " characters.");
        }
        Optional<Rejection> fields = checkFields(head, head.protocol().startsWith("HTTP/1."));
        if (fields.isPresent()) {
            return fields;
        }
        if ("OPTIONS".equals(method) && head.first(CONTENT_TYPE) == null
                && (declaresBody(head) || head.first(TRANSFER_ENCODING) != null)) {
            // RFC 9110 section 9.3.7: an OPTIONS body must be described by Content-Type
            return reject(400, "An OPTIONS request with a body needs a Content-Type.");
        }
        boolean http1 = head.protocol().startsWith("HTTP/1.");
        return http1 ? checkFraming(head) : Optional.empty();
    }

    private Optional<Rejection> checkFields(ReceivedHead head, boolean http1) {
        int count = 0;
        for (HeaderField f : head.fields()) {
            if (limits.rejectUnderscoreHeaders() && f.name().indexOf('_') >= 0) {
                return reject(400, "Header names with an underscore are not accepted.");
            }
            if (!isFieldName(f.name(), http1)) {
                // RFC 9112 section 5.1: whitespace before the colon must be refused with 400; "Transfer-Encoding "
                // is not Transfer-Encoding here, but may be to a server that trims the name
                return reject(400, "A header name is malformed.");
            }
            if (++count > limits.maxHeaderCount()) {
                return reject(431, "More than " + limits.maxHeaderCount() + " header fields.");
            }
            if (hasControl(f.value())) {
                return reject(400, "A header value holds a control character.");
            }
        }
        return Optional.empty();
    }

    /**
     * An RFC 9110 section 5.1 token; past HTTP/1 also a pseudo-header ({@code :authority}, RFC 9113 section
     * 8.3), which some containers list among the fields.
     */
    private static boolean isFieldName(String name, boolean http1) {
        int from = !http1 && name.length() > 1 && name.charAt(0) == ':' ? 1 : 0;
        if (name.length() == from) {
            return false;
        }
        for (int i = from; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 0x80 || !TCHAR[c]) {
                return false;
            }
        }
        return true;
    }

    private static final boolean[] TCHAR = new boolean[0x80];

    static {
        for (char c : "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray()) {
            TCHAR[c] = true;
        }
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

    private static Optional<Rejection> checkFraming(ReceivedHead head) {
        int hosts = head.count(HOST);
        if (hosts != 1) {
            return reject(400, hosts == 0 ? "The Host header is missing." : "More than one Host header.");
        }
        String hostName = hostName(head.first(HOST));
        if (hostName == null) {
            return reject(400, "The Host header is malformed.");
        }
        if (!hostName.equalsIgnoreCase(head.serverName())) {
            // absolute-form target naming another host than the Host header (RFC 9112 section 3.2.2)
            return reject(400, "The request target names a host this gateway does not serve.");
        }
        String te = head.first(TRANSFER_ENCODING);
        int lengths = head.count(CONTENT_LENGTH);
        if (te != null) {
            if (lengths > 0) {
                return reject(400, "Content-Length together with Transfer-Encoding is not accepted.");
            }
            if ("HTTP/1.0".equals(head.protocol())) {
                return reject(400, "Transfer-Encoding is not accepted on HTTP/1.0.");
            }
            if (head.count(TRANSFER_ENCODING) != 1 || !te.trim().toLowerCase(Locale.ROOT).equals("chunked")) {
                return reject(501, "Only the chunked transfer coding is supported.");
            }
        }
        if (lengths > 1) {
            return reject(400, "More than one Content-Length header.");
        }
        if (lengths == 1 && !isLength(head.first(CONTENT_LENGTH).trim())) {
            return reject(400, "The Content-Length header is malformed.");
        }
        return Optional.empty();
    }

    /** 1 to 18 digits: any such value fits a long. */
    private static boolean isLength(String cl) {
        return !cl.isEmpty() && cl.length() <= 18 && allDigits(cl, 0, cl.length());
    }

    /** Whether any Content-Length field says anything but 0: a malformed or second one may be read as a length. */
    private static boolean declaresBody(ReceivedHead head) {
        for (HeaderField f : head.fields()) {
            if (f.name().equalsIgnoreCase(CONTENT_LENGTH)) {
                String cl = f.value().trim();
                if (!isLength(cl) || Long.parseLong(cl) != 0) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Optional<Rejection> reject(int status, String detail) {
        // every refusal of the head closes the connection: what follows it on the wire cannot be trusted
        return Optional.of(new Rejection(status, detail, true));
    }

    /**
     * The host part of a Host header value (lower case, IPv6 in brackets kept), or null when malformed. Hand-written
     * rather than regular expressions: it runs on every request.
     */
    public static String hostName(String host) {
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
}
