package dev.tollgate.proxy;

import dev.tollgate.http.HeaderNames;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;

/**
 * The RFC 6455 section 4 opening handshake as the gateway sees it: which client requests ask for a WebSocket,
 * the upstream request that carries the upgrade on, and whether the upstream's {@code 101} accepts it. Only
 * {@code websocket} is ever upgraded: an {@code Upgrade: h2c} or any other protocol is never passed on.
 * Stateless and pure.
 */
public final class WebSocketUpgrade {
    /** RFC 6455 section 1.3: appended to the key before hashing. */
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private WebSocketUpgrade() {
    }

    /** What a request on a WebSocket route asks for. */
    public enum Kind {
        /** No WebSocket upgrade: proxied as any other request. */
        NONE,
        /** A valid opening handshake (RFC 6455 section 4.2.1). */
        VALID,
        /** Asks for a WebSocket but breaks the handshake's rules: answered 400. */
        INVALID
    }

    /** Classifies a request by its method, protocol and header fields. */
    public static Kind classify(RequestHead head) {
        if (!hasToken(head.headers("Upgrade"), "websocket")) {
            return Kind.NONE;
        }
        String key = head.header("Sec-WebSocket-Key");
        boolean valid = "GET".equals(head.method()) && "HTTP/1.1".equals(head.peer().protocol())
                && hasToken(head.headers(HeaderNames.CONNECTION),
                        "upgrade") && head.headers("Sec-WebSocket-Key").size() == 1
                && isKey(key) && "13".equals(trim(head.header("Sec-WebSocket-Version")))
                && hasNoBody(head);
        return valid ? Kind.VALID : Kind.INVALID;
    }

    /** Some clients send {@code Content-Length: 0} with the handshake; a body of any other length is refused. */
    private static boolean hasNoBody(RequestHead head) {
        for (String length : head.headers(HeaderNames.CONTENT_LENGTH)) {
            if (!length.trim().equals("0")) {
                return false;
            }
        }
        return head.header(HeaderNames.TRANSFER_ENCODING) == null;
    }

    /** The {@code Sec-WebSocket-Accept} value for a key: base64 of the SHA-1 of key and GUID. */
    public static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1")
                    .digest((key.trim() + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every Java platform", e);
        }
    }

    /**
     * The upgrade request on the wire: the request the header policy builds for any forwarded request
     * (forwarding, user context, route rules), plus the {@code Upgrade} and {@code Connection} fields that it
     * drops as hop-by-hop. The {@code Sec-WebSocket-*} fields are end-to-end and already in it.
     */
    static byte[] requestBytes(HttpRequest up) {
        StringBuilder sb = new StringBuilder(512);
        sb.append("GET ").append(up.getRequestUri()).append(" HTTP/1.1\r\n");
        for (Header h : up.getHeaders()) {
            sb.append(h.getName()).append(": ").append(h.getValue()).append("\r\n");
        }
        sb.append("Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Null when the upstream's 101 accepts this key, else what is wrong with it. */
    static String checkAccepted(HttpResponse r, String key) {
        if (r.getCode() != 101) {
            return "status " + r.getCode();
        }
        if (!hasToken(values(r, "Upgrade"), "websocket") || !hasToken(values(r, HeaderNames.CONNECTION), "upgrade")) {
            return "a 101 without Upgrade: websocket and Connection: Upgrade";
        }
        Header acceptField = r.getFirstHeader("Sec-WebSocket-Accept");
        if (acceptField == null || !accept(key).equals(acceptField.getValue().trim())) {
            return "a 101 with a wrong Sec-WebSocket-Accept";
        }
        return null;
    }

    private static List<String> values(HttpResponse r, String name) {
        return java.util.Arrays.stream(r.getHeaders(name)).map(Header::getValue).toList();
    }

    /** Whether a comma-separated field holds a token, in any case. */
    static boolean hasToken(List<String> values, String token) {
        for (String v : values) {
            for (String t : v.split(",")) {
                if (t.trim().toLowerCase(Locale.ROOT).equals(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** RFC 6455 section 4.1: the key is 16 random bytes, base64-encoded (24 characters). */
    private static boolean isKey(String key) {
        if (key == null || key.trim().length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key.trim()).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String trim(String v) {
        return v == null ? null : v.trim();
    }
}
