package dev.tollgate.route;

import dev.tollgate.config.RouteConfig;
import dev.tollgate.cors.CorsPolicy;

/**
 * A configured route compiled for matching: its path pattern, host and methods, and its path rewrite.
 * Immutable and thread-safe.
 */
public final class Route {
    private final RouteConfig config;
    private final String[] pattern;
    private final boolean tail;
    private final int literals;
    private final int singles;
    private final CorsPolicy cors;

    public Route(RouteConfig config) {
        this.config = config;
        boolean endsWithTail = !config.segments().isEmpty()
                && config.segments().get(config.segments().size() - 1).equals("**");
        this.tail = endsWithTail;
        this.pattern = config.segments().subList(0, config.segments().size() - (endsWithTail ? 1 : 0))
                .toArray(new String[0]);
        int lit = 0;
        int one = 0;
        for (String s : pattern) {
            if (s.equals("*")) {
                one++;
            } else {
                lit++;
            }
        }
        this.literals = lit;
        this.singles = one;
        this.cors = config.cors() == null ? null : new CorsPolicy(config.cors());
    }

    public String name() {
        return config.name();
    }

    public String service() {
        return config.service();
    }

    public RouteConfig config() {
        return config;
    }

    /** The route's compiled CORS policy, or null when the route leaves CORS to its upstream. */
    public CorsPolicy cors() {
        return cors;
    }

    /** The path sent upstream: the canonical path with the route's prefix stripped and added. */
    public String rewrite(String canonicalPath) {
        String path = canonicalPath;
        String strip = config.stripPrefix();
        if (!strip.isEmpty() && path.startsWith(strip)
                && (path.length() == strip.length() || path.charAt(strip.length()) == '/')) {
            path = path.substring(strip.length());
        }
        String add = config.addPrefix();
        if (!add.isEmpty()) {
            path = add + path;
        }
        return path.isEmpty() ? "/" : path;
    }

    boolean matches(String host, String method, String[] segments) {
        return matchesHost(host) && (config.methods().isEmpty() || config.methods().contains(method))
                && matchesPath(segments);
    }

    private boolean matchesHost(String host) {
        String want = config.host();
        if (want == null) {
            return true;
        }
        if (host == null) {
            return false;
        }
        if (want.startsWith("*.")) {
            return host.endsWith(want.substring(1)) && host.length() > want.length() - 1;
        }
        return host.equals(want);
    }

    private boolean matchesPath(String[] segments) {
        if (segments.length < pattern.length || !tail && segments.length != pattern.length) {
            return false;
        }
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.equals("*") ? segments[i].isEmpty() : !p.equals(segments[i])) {
                return false;
            }
        }
        return true;
    }

    /** Orders routes most specific first: host, literal segments, no tail, single wildcards, methods, name. */
    static int compareSpecificity(Route a, Route b) {
        int c = Boolean.compare(b.config.host() != null, a.config.host() != null);
        if (c == 0 && a.config.host() != null && b.config.host() != null) {
            c = Boolean.compare(a.config.host().startsWith("*."), b.config.host().startsWith("*."));
        }
        if (c == 0) {
            c = Integer.compare(b.literals, a.literals);
        }
        if (c == 0) {
            c = Boolean.compare(a.tail, b.tail);
        }
        if (c == 0) {
            c = Integer.compare(b.singles, a.singles);
        }
        if (c == 0) {
            c = Boolean.compare(!b.config.methods().isEmpty(), !a.config.methods().isEmpty());
        }
        return c != 0 ? c : a.name().compareTo(b.name());
    }
}
