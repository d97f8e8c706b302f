package dev.tollgate.route;

/**
 * The one normalized form of a request path that routing, forwarding and every later decision use, and the
 * rejection of paths that different servers could read differently. Normalization follows RFC 3986 §6.2.2:
 * percent-encoded unreserved characters are decoded ({@code /%61dmin} is {@code /admin}, so it cannot slip past
 * an {@code /admin/**} route), the hex digits of other encodings are upper-cased, and dot segments are removed
 * (§5.2.4). Percent-encoded bytes must be well-formed UTF-8. A path already in this form, as every ordinary
 * client sends it, passes byte-exact. Stateless.
 */
public final class CanonicalPath {
    private CanonicalPath() {
    }

    /** A path that is refused with 400: the reason is safe to show to the client. */
    public static final class InvalidPathException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidPathException(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * @param raw the path of the request target as received (no query, not decoded)
     * @return the canonical path, starting with {@code /}
     * @throws InvalidPathException for ambiguous or malformed input
     */
    public static String of(String raw) throws InvalidPathException {
        if (raw == null || raw.isEmpty() || raw.charAt(0) != '/') {
            throw new InvalidPathException("the path must start with /");
        }
        boolean dots = false;
        boolean encoded = false;
        boolean nonAscii = false;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                nonAscii |= checkEncoded(raw, i) >= 0x80;
                encoded = true;
                i += 2;
            } else if (c == '/') {
                if (i + 1 < raw.length() && raw.charAt(i + 1) == '/') {
                    throw new InvalidPathException("empty path segments (//) are ambiguous");
                }
                if (i + 1 < raw.length() && raw.charAt(i + 1) == '.') {
                    dots = true;
                }
            } else if (c == ';') {
                throw new InvalidPathException("path parameters (;) are not accepted");
            } else if (c == '\\') {
                throw new InvalidPathException("backslashes are not accepted in the path");
            } else if (!isPathChar(c)) {
                throw new InvalidPathException("the path holds a character that must be percent-encoded");
            }
        }
        if (nonAscii) {
            checkUtf8(raw);
        }
        String path = encoded ? normalizeEncodings(raw) : raw;
        return dots ? removeDotSegments(path) : path;
    }

    private static String normalizeEncodings(String raw) {
        StringBuilder sb = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            char decoded = (char) (hex(raw.charAt(i + 1)) << 4 | hex(raw.charAt(i + 2)));
            if (isUnreserved(decoded)) {
                sb.append(decoded);
            } else {
                sb.append('%').append(Character.toUpperCase(raw.charAt(i + 1)))
                        .append(Character.toUpperCase(raw.charAt(i + 2)));
            }
            i += 2;
        }
        return sb.toString();
    }

    private static boolean isUnreserved(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
                || c == '~';
    }

    /** The byte that the percent-encoding at {@code i} stands for, unless it is refused. */
    private static int checkEncoded(String raw, int i) throws InvalidPathException {
        if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
            throw new InvalidPathException("malformed percent-encoding in the path");
        }
        int b = hex(raw.charAt(i + 1)) << 4 | hex(raw.charAt(i + 2));
        switch (b) {
            case '.':
            case '/':
            case '\\':
            case ';':
                throw new InvalidPathException("encoded dots, slashes, backslashes and semicolons are ambiguous");
            case '%':
                throw new InvalidPathException("double percent-encoding is ambiguous");
            default:
                if (b < 0x20 || b == 0x7f) {
                    throw new InvalidPathException("encoded control characters are not accepted");
                }
        }
        return b;
    }

    /**
     * The bytes the path stands for must be well-formed UTF-8 (RFC 3629 section 4): a server that decodes an
     * overlong form such as {@code %C0%AE} leniently reads a dot or a slash ({@code %C0%AF}) that the checks
     * above never saw, and invalid bytes are read differently by different servers.
     */
    private static void checkUtf8(String raw) throws InvalidPathException {
        int need = 0;
        int lo = 0x80;
        int hi = 0xBF;
        for (int i = 0; i < raw.length(); i++) {
            int b = raw.charAt(i);
            if (b == '%') {
                b = hex(raw.charAt(i + 1)) << 4 | hex(raw.charAt(i + 2));
                i += 2;
            }
            if (need > 0) {
                if (b < lo || b > hi) {
                    throw new InvalidPathException(NOT_UTF8);
                }
                need--;
                lo = 0x80;
                hi = 0xBF;
            } else if (b >= 0xC2 && b <= 0xDF) {
                need = 1;
            } else if (b >= 0xE0 && b <= 0xEF) {
                // no overlong three-byte forms (E0 80..9F) and no surrogates (ED A0..BF)
                need = 2;
                lo = b == 0xE0 ? 0xA0 : 0x80;
                hi = b == 0xED ? 0x9F : 0xBF;
            } else if (b >= 0xF0 && b <= 0xF4) {
                // no overlong four-byte forms (F0 80..8F) and nothing above U+10FFFF (F4 90..)
                need = 3;
                lo = b == 0xF0 ? 0x90 : 0x80;
                hi = b == 0xF4 ? 0x8F : 0xBF;
            } else if (b >= 0x80) {
                throw new InvalidPathException(NOT_UTF8);
            }
        }
        if (need > 0) {
            throw new InvalidPathException(NOT_UTF8);
        }
    }

    private static final String NOT_UTF8 = "percent-encoded bytes that are not well-formed UTF-8 are ambiguous";

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** RFC 3986 pchar without '%' and ';' (handled separately) plus '/'. */
    private static boolean isPathChar(char c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        return "-._~!$&'()*+,=:@".indexOf(c) >= 0;
    }

    private static String removeDotSegments(String path) throws InvalidPathException {
        String[] in = path.substring(1).split("/", -1);
        String[] out = new String[in.length];
        int n = 0;
        boolean trailingSlash = false;
        for (int i = 0; i < in.length; i++) {
            String seg = in[i];
            boolean last = i == in.length - 1;
            if (seg.equals(".")) {
                trailingSlash = last;
            } else if (seg.equals("..")) {
                if (n == 0) {
                    throw new InvalidPathException("the path climbs above the root");
                }
                n--;
                trailingSlash = last;
            } else {
                out[n++] = seg;
                trailingSlash = false;
            }
        }
        StringBuilder sb = new StringBuilder(path.length());
        for (int i = 0; i < n; i++) {
            sb.append('/').append(out[i]);
        }
        if (trailingSlash || sb.length() == 0) {
            sb.append('/');
        }
        return sb.toString();
    }
}
