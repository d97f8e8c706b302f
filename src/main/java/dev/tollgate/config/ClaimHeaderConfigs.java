package dev.tollgate.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and validates the routes' {@code claim-headers.<Header> = <claim>} keys. A mapped header is removed from
 * client requests on every route, so it may not be a header that clients or the gateway need: hop-by-hop and
 * framing fields, content metadata, forwarding and tracing fields, credentials, or a user-context header.
 * Stateless.
 */
final class ClaimHeaderConfigs {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+^_`|~0-9A-Za-z-]+");
    /** Lower case, {@code _} as {@code -}: hop-by-hop (RFC 9110 section 7.6.1), framing, gateway-written. */
    private static final Set<String> RESERVED = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate", "host",
            "content-length", "content-type", "content-encoding", "content-range", "expect", "range",
            "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "forwarded", "via",
            "x-request-id", "traceparent", "tracestate", "authorization", "cookie");
    private static final String EXPECTED_CLAIM =
            "a claim name, a dotted path (realm_access.roles) or a JSON pointer (/realm_access/roles)";

    private ClaimHeaderConfigs() {
    }

    private static String normalize(String name) {
        return ClaimHeader.normalize(name);
    }

    /** The route's claim headers, in header-name order; empty when it maps none. */
    static List<ClaimHeader> route(Settings s, String p, AuthConfig.RouteAuth auth) {
        String prefix = p + "claim-headers.";
        Map<String, String> configured = s.under(prefix);
        List<ClaimHeader> out = new ArrayList<>(configured.size());
        Set<String> seen = new HashSet<>();
        configured.forEach((name, claim) -> {
            String key = prefix + name;
            List<String> path = ClaimHeader.parse(claim);
            if (!TOKEN.matcher(name).matches()) {
                s.problem(key, claim, "a header name (letters, digits, - and _; no dots)");
            } else if (RESERVED.contains(normalize(name))) {
                s.problem(key, claim, "a header the gateway does not own: not hop-by-hop, framing, content, "
                        + "forwarding, tracing or credential header");
            } else if (!seen.add(normalize(name))) {
                s.problem(key, claim, "one mapping per header name (names compare in any case, _ as -)");
            } else if (path == null) {
                s.problem(key, claim, EXPECTED_CLAIM);
            } else if (!auth.policy().acceptsJwt()) {
                s.problem(key, claim, "only on a route with " + p + "auth = jwt or jwt-or-api-key");
            } else {
                out.add(new ClaimHeader(name, claim, path));
            }
        });
        return List.copyOf(out);
    }

    /**
     * Checks what needs the routes and the other sections together: a mapped header may not be a user-context
     * header, the API-key header or a client-address header.
     */
    static void check(Settings s, AuthConfig auth, ForwardingConfig forwarding, List<RouteConfig> routes) {
        Set<String> owned = new HashSet<>();
        auth.headers().names().forEach(n -> owned.add(normalize(n)));
        owned.add(normalize(auth.apiKeys().header()));
        forwarding.clientAddressHeaders().forEach(n -> owned.add(normalize(n)));
        if (forwarding.clientAddressHeader() != null) {
            owned.add(normalize(forwarding.clientAddressHeader()));
        }
        for (RouteConfig r : routes) {
            for (ClaimHeader h : r.headers().claims()) {
                if (owned.contains(normalize(h.header()))) {
                    s.problem("gateway.routes." + r.name() + ".claim-headers." + h.header(), h.claim(),
                            "a header other than the user-context, API-key and client-address headers");
                }
            }
        }
    }
}
