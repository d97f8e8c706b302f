package dev.tollgate.route;

import dev.tollgate.config.RateLimitRule;
import dev.tollgate.config.RouteConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the most specific route for a request; a path under the reserved prefix (the admin endpoints') matches no
 * route, whatever the routes say. Built once from the configuration; immutable and thread-safe.
 */
public final class RouteTable {
    private final Route[] routes;
    private final boolean predicates;
    private final String reserved;

    /** Routes without rate limits or a reserved prefix. */
    public RouteTable(List<RouteConfig> configs) {
        this(configs, Map.of(), null);
    }

    /**
     * @param rateRules the rate-limit rules of each limited route, by route name
     * @param reserved a canonical path prefix no route may forward (the admin path), or null for none
     */
    public RouteTable(List<RouteConfig> configs, Map<String, List<RateLimitRule>> rateRules, String reserved) {
        this.reserved = reserved;
        Set<String> claimHeaders = Route.names(configs);
        this.routes = configs.stream().map(c -> new Route(c, claimHeaders, rateRules.getOrDefault(c.name(), List.of())))
                .sorted(Route::compareSpecificity).toArray(Route[]::new);
        boolean any = false;
        for (Route r : routes) {
            any |= r.hasPredicates();
        }
        this.predicates = any;
    }

    /** Whether some route matches on headers, query parameters or cookies (and so reads {@link RequestFacts}). */
    public boolean hasPredicates() {
        return predicates;
    }

    /**
     * @param host the request's host, lower case without port, or null
     * @param method the request method
     * @param canonicalPath the path from {@link CanonicalPath#of}
     * @param facts the request's headers and query, read only by routes with predicates
     * @return the most specific matching route, or null (always for a path under the reserved prefix)
     */
    public Route match(String host, String method, String canonicalPath, RequestFacts facts) {
        if (reserved != null && isUnder(canonicalPath, reserved)) {
            return null;
        }
        String[] segments = canonicalPath.substring(1).split("/", -1);
        if (segments.length == 1 && segments[0].isEmpty()) {
            segments = new String[0];
        }
        for (Route r : routes) {
            if (r.matches(host, method, segments, facts)) {
                return r;
            }
        }
        return null;
    }

    /** {@link #match(String, String, String, RequestFacts)} without request facts: routes with predicates never match. */
    public Route match(String host, String method, String canonicalPath) {
        return match(host, method, canonicalPath, null);
    }

    /** Whether {@code path} is {@code prefix} or lies below it (segment-wise: {@code /a} is not under {@code /ab}). */
    public static boolean isUnder(String path, String prefix) {
        return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }

    public List<Route> routes() {
        return List.of(routes);
    }
}
