package dev.tollgate.route;

import dev.tollgate.config.RouteConfig;
import java.util.List;

/**
 * Finds the most specific route for a request. Built once from the configuration; immutable and thread-safe.
 */
public final class RouteTable {
    private final Route[] routes;

    public RouteTable(List<RouteConfig> configs) {
        this.routes = configs.stream().map(Route::new).sorted(Route::compareSpecificity).toArray(Route[]::new);
    }

    /**
     * @param host the request's host, lower case without port, or null
     * @param method the request method
     * @param canonicalPath the path from {@link CanonicalPath#of}
     * @return the most specific matching route, or null
     */
    public Route match(String host, String method, String canonicalPath) {
        String[] segments = canonicalPath.substring(1).split("/", -1);
        if (segments.length == 1 && segments[0].isEmpty()) {
            segments = new String[0];
        }
        for (Route r : routes) {
            if (r.matches(host, method, segments)) {
                return r;
            }
        }
        return null;
    }

    public List<Route> routes() {
        return List.of(routes);
    }
}
