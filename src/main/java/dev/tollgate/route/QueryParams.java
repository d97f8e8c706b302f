package dev.tollgate.route;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Finds query parameters in a raw query string ({@code a=1&b=2}), decoding names and values as HTML forms
 * encode them ({@code +} is a space, {@code %XX} a UTF-8 byte). A parameter without {@code =} has the empty value.
 * The request body is never read, whatever its type. Stateless.
 */
final class QueryParams {
    private QueryParams() {
    }

    /** Whether the parameter occurs with this value; with {@code value} null, whether it occurs at all. */
    static boolean has(String query, String name, String value) {
        if (query == null) {
            return false;
        }
        int i = 0;
        int n = query.length();
        while (i <= n) {
            int end = query.indexOf('&', i);
            if (end < 0) {
                end = n;
            }
            if (end > i) {
                int eq = query.indexOf('=', i);
                int nameEnd = eq < 0 || eq > end ? end : eq;
                if (decode(query, i, nameEnd).equals(name)
                        && (value == null || decode(query, Math.min(nameEnd + 1, end), end).equals(value))) {
                    return true;
                }
            }
            i = end + 1;
        }
        return false;
    }

    /** The decoded text of {@code s[from, to)}; malformed escapes are kept as written. */
    static String decode(String s, int from, int to) {
        boolean plain = true;
        for (int i = from; i < to && plain; i++) {
            char c = s.charAt(i);
            plain = c != '%' && c != '+';
        }
        if (plain) {
            return s.substring(from, to);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '+') {
                out.write(' ');
            } else if (c == '%' && i + 2 < to && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                out.write(hex(s.charAt(i + 1)) << 4 | hex(s.charAt(i + 2)));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
