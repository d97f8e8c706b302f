package dev.tollgate.observability;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids ({@code X-Request-Id}) and W3C Trace Context ({@code traceparent}) values: accepted when well
 * formed, generated otherwise. Stateless.
 */
public final class RequestIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    /** A client-sent request id is kept when it is 1-128 characters of letters, digits and {@code -._:}. */
    public static boolean isValid(String id) {
        if (id == null || id.isEmpty() || id.length() > 128) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                    || c == '_' || c == ':')) {
                return false;
            }
        }
        return true;
    }

    /** A new random request id: 32 hex digits. */
    public static String newId() {
        return hex(16);
    }

    /**
     * The {@code traceparent} to send upstream: the incoming trace id and flags with this hop's new span id
     * when the incoming value is valid (W3C Trace Context §3.2), else a new sampled trace.
     */
    public static String traceparent(String incoming) {
        if (isValidTraceparent(incoming)) {
            return "00-" + incoming.substring(3, 35) + "-" + hex(8) + "-" + incoming.substring(53, 55);
        }
        return "00-" + hex(16) + "-" + hex(8) + "-01";
    }

    /** The trace id of a traceparent value. */
    public static String traceId(String traceparent) {
        return traceparent.substring(3, 35);
    }

    static boolean isValidTraceparent(String v) {
        if (v == null || v.length() != 55 || !v.startsWith("00-") || v.charAt(35) != '-' || v.charAt(52) != '-') {
            return false;
        }
        return isHex(v, 3, 35) && isHex(v, 36, 52) && isHex(v, 53, 55)
                && !allZero(v, 3, 35) && !allZero(v, 36, 52);
    }

    private static boolean isHex(String v, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = v.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean allZero(String v, int from, int to) {
        for (int i = from; i < to; i++) {
            if (v.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }

    private static String hex(int bytes) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] out = new char[bytes * 2];
        for (int i = 0; i < out.length; i += 16) {
            long bits = r.nextLong();
            for (int j = 0; j < 16 && i + j < out.length; j++) {
                out[i + j] = HEX[(int) (bits >>> (j * 4)) & 0xf];
            }
        }
        if (allZero(new String(out), 0, out.length)) {
            out[out.length - 1] = '1';
        }
        return new String(out);
    }
}
