package dev.tollgate.route;

import java.util.List;

/**
 * Reads a cookie's value from the request's {@code Cookie} header fields ({@code a=1; b=2}, RFC 6265 §5.4; under
 * HTTP/2 there may be several fields, RFC 9113 §8.2.3). A value in double quotes is compared without them.
 * Stateless.
 */
final class Cookies {
    private Cookies() {
    }

    /** The first value of the named cookie, or null. */
    static String value(List<String> cookieFields, String name) {
        for (String field : cookieFields) {
            int i = 0;
            int n = field.length();
            while (i < n) {
                int end = field.indexOf(';', i);
                if (end < 0) {
                    end = n;
                }
                int eq = field.indexOf('=', i);
                if (eq > 0 && eq < end) {
                    int a = i;
                    int b = eq;
                    while (a < b && field.charAt(a) == ' ') {
                        a++;
                    }
                    while (b > a && field.charAt(b - 1) == ' ') {
                        b--;
                    }
                    if (b - a == name.length() && field.regionMatches(a, name, 0, b - a)) {
                        return unquote(field.substring(eq + 1, end).trim());
                    }
                }
                i = end + 1;
            }
        }
        return null;
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"'
                ? v.substring(1, v.length() - 1) : v;
    }
}
