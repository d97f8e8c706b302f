package dev.tollgate.proxy;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Hop-by-hop header fields (RFC 9110 §7.6.1): never forwarded, in either direction, together with every
 * field the {@code Connection} header names. Stateless.
 */
public final class HopByHop {
    private static final Set<String> ALWAYS = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate");

    private HopByHop() {
    }

    public static boolean isHopByHop(String lowerCaseName) {
        return ALWAYS.contains(lowerCaseName);
    }

    /** The lower-case field names listed by the {@code Connection} header values. */
    public static Set<String> connectionTokens(Iterable<String> connectionValues) {
        Set<String> out = new TreeSet<>();
        for (String v : connectionValues) {
            for (String token : v.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    out.add(t);
                }
            }
        }
        return out;
    }
}
