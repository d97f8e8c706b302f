package dev.tollgate.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Parses and validates one route, {@code gateway.routes.<name>.*}: its matching, target and rewrites, timeouts,
 * header rules and WebSocket settings, with the parts other readers own (auth, traffic split, CORS, claim
 * headers). Stateless.
 */
final class RouteConfigs {
    static final String PREFIX = "gateway.routes.";
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final String LABEL = "[a-z0-9]([a-z0-9-]*[a-z0-9])?";
    private static final Pattern HOST = Pattern.compile("(\\*\\.)?" + LABEL + "(\\." + LABEL + ")*");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._~!$&'()+,=:@%-]+");
    /** Route literals are compared with canonical request paths: upper-case hex, unreserved never encoded. */
    private static final Pattern CANONICAL_ENCODING = Pattern.compile(
            "([^%]|%(?![46][1-9A-F]|[57][0-9A]|3[0-9]|2D|5F|7E|2E)[0-9A-F]{2})*");

    /**
     * What a route inherits from the global settings.
     *
     * @param limits the request limits (the body limit)
     * @param client the upstream client (the timeouts)
     * @param websocket the tunnels' timeouts
     * @param services the configured services' names
     */
    record Inherited(LimitsConfig limits, HttpClientConfig client, WebSocketConfig websocket, Set<String> services) {
    }

    private RouteConfigs() {
    }

    /** Every configured route; invalid ones are reported and left out. */
    static List<RouteConfig> routes(Settings s, Inherited inherited) {
        List<RouteConfig> routes = new ArrayList<>();
        for (String name : s.names(PREFIX)) {
            RouteConfig r = route(s, name, inherited);
            if (r != null) {
                routes.add(r);
            }
        }
        if (routes.isEmpty()) {
            s.problem("gateway.routes", null, "at least one route (gateway.routes.<name>.path and .service)");
        }
        return routes;
    }

    private static RouteConfig route(Settings s, String name, Inherited inherited) {
        String p = PREFIX + name + ".";
        RouteConfig.Match match = match(s, p);
        AuthConfig.RouteAuth auth = AuthConfigs.route(s, p);
        RouteConfig.Target target = target(s, p, match, inherited.services(), auth);
        LimitsConfig limits = inherited.limits();
        HttpClientConfig client = inherited.client();
        RouteConfig.Limits routeLimits = new RouteConfig.Limits(
                s.positiveDuration(p + "connect-timeout", client.connectTimeout()),
                s.positiveDuration(p + "response-timeout", client.responseTimeout()),
                s.positiveDuration(p + "total-timeout", null), // none unless set
                s.size(p + "max-body-size", limits.maxBodySize()));
        RouteConfig.Headers headers = new RouteConfig.Headers(headers(s, p + "request-headers."),
                headers(s, p + "response-headers."), ClaimHeaderConfigs.route(s, p, auth));
        RouteConfig.StaleIfError stale = new RouteConfig.StaleIfError(s.bool(p + "stale-if-error"),
                s.bool(p + "stale-if-error-public"));
        CorsConfig cors = CorsConfigs.route(s, p);
        WebSocketConfig websocket = websocket(s, p, inherited.websocket());
        if (match.path() == null || target == null) {
            return null;
        }
        return new RouteConfig(name, match, target, routeLimits, headers, auth, stale, cors, websocket);
    }

    private static RouteConfig.Match match(Settings s, String p) {
        String path = s.required(p + "path");
        List<String> segments = path == null ? List.of() : segments(s, p + "path", path);
        String host = s.string(p + "host");
        if (host != null) {
            host = host.toLowerCase(Locale.ROOT);
            if (!HOST.matcher(host).matches()) {
                s.problem(p + "host", host, "a host name or *.domain (no port)");
            }
        }
        Set<String> methods = new TreeSet<>();
        for (String m : s.list(p + "methods")) {
            if (!TOKEN.matcher(m).matches() || m.equals("CONNECT")) {
                s.problem(p + "methods", m, "HTTP method names (e.g. GET, POST)");
            }
            methods.add(m.toUpperCase(Locale.ROOT));
        }
        return new RouteConfig.Match(path, segments, host, methods, RouteTraffic.match(s, p));
    }

    /** The route's target, or null when it names no valid service or split (reported). */
    private static RouteConfig.Target target(Settings s, String p, RouteConfig.Match match, Set<String> services,
                                             AuthConfig.RouteAuth auth) {
        TrafficSplit split = RouteTraffic.split(s, p, services, auth);
        boolean splits = split != null || s.string(p + "services") != null;
        String service = splits ? null : s.required(p + "service");
        if (service != null && !services.contains(service)) {
            s.problem(p + "service", service, "one of the configured services " + services);
        }
        String strip = prefix(s, p + "strip-prefix");
        if (!strip.isEmpty() && !isLiteralSegmentPrefix(strip, match.segments())) {
            s.problem(p + "strip-prefix", strip, "whole literal leading segments of the route's path "
                    + match.path());
        }
        String add = prefix(s, p + "add-prefix");
        boolean preserveHost = s.bool(p + "preserve-host");
        LoadBalancing loadBalancer = s.optionalChoice(p + "load-balancer", LoadBalancing.values(),
                LoadBalancing::label);
        if (service == null && split == null) {
            return null;
        }
        return new RouteConfig.Target(service, split, loadBalancer, strip, add, preserveHost);
    }

    /** A route's tunnel settings; the per-route timeouts default to {@code gateway.websocket.*}. */
    private static WebSocketConfig websocket(Settings s, String p, WebSocketConfig defaults) {
        boolean enabled = s.bool(p + "websocket");
        Duration idle = s.positiveDuration(p + "websocket-idle-timeout", defaults.idleTimeout());
        Duration lifetime = s.positiveDuration(p + "websocket-max-lifetime", defaults.maxLifetime());
        if (!enabled) {
            for (String key : new String[] {p + "websocket-idle-timeout", p + "websocket-max-lifetime"}) {
                if (s.isSet(key)) {
                    s.problem(key, s.string(key), "only on a route with " + p + "websocket = true");
                }
            }
        }
        return new WebSocketConfig(enabled, idle, lifetime);
    }

    /** A literal path prefix, or empty when none is set (or it is invalid, reported). */
    private static String prefix(Settings s, String key) {
        String v = s.string(key);
        if (v == null) {
            return "";
        }
        String[] parts = v.split("/", -1);
        boolean ok = parts.length > 1 && parts[0].isEmpty();
        for (int i = 1; ok && i < parts.length; i++) {
            ok = SEGMENT.matcher(parts[i]).matches() && !parts[i].equals(".") && !parts[i].equals("..");
        }
        if (!ok) {
            s.problem(key, v, "a literal path prefix like /api (no trailing /, no wildcards)");
            return "";
        }
        return v;
    }

    /** Whether the prefix's segments are the first literal segments of the pattern. */
    private static boolean isLiteralSegmentPrefix(String prefix, List<String> pattern) {
        String[] parts = prefix.substring(1).split("/");
        if (parts.length > pattern.size()) {
            return false;
        }
        for (int i = 0; i < parts.length; i++) {
            String seg = pattern.get(i);
            if (seg.equals("*") || seg.equals("**") || !seg.equals(parts[i])) {
                return false;
            }
        }
        return true;
    }

    static List<String> segments(Settings s, String key, String path) {
        if (!path.startsWith("/") || path.contains("//")) {
            s.problem(key, path, "a path pattern starting with / (e.g. /api/orders/**)");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        String[] parts = path.substring(1).split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            String seg = parts[i];
            if (seg.isEmpty() && i == parts.length - 1) {
                if (i > 0) {
                    out.add(seg); // a trailing slash is part of the path: /docs/ matches /docs/ only
                }
                break;
            }
            boolean wildcard = seg.equals("*") || seg.equals("**");
            if (seg.equals("**") && i != parts.length - 1 || seg.equals(".") || seg.equals("..")
                    || !wildcard && (!SEGMENT.matcher(seg).matches() || !CANONICAL_ENCODING.matcher(seg).matches())) {
                s.problem(key, path, "segments that are literals, * (one segment) or a final ** (the rest)");
                return List.of();
            }
            out.add(seg);
        }
        return out;
    }

    private static HeaderRules headers(Settings s, String prefix) {
        List<String> remove = s.list(prefix + "remove");
        for (String h : remove) {
            if (!TOKEN.matcher(h).matches()) {
                s.problem(prefix + "remove", h, "header names");
            }
        }
        Map<String, String> set = headerValues(s, prefix + "set.");
        Map<String, String> add = headerValues(s, prefix + "add.");
        return remove.isEmpty() && set.isEmpty() && add.isEmpty() ? HeaderRules.NONE : new HeaderRules(remove, set,
                add);
    }

    private static Map<String, String> headerValues(Settings s, String prefix) {
        Map<String, String> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        s.under(prefix).forEach((name, value) -> {
            if (!TOKEN.matcher(name).matches() || name.indexOf('.') >= 0) {
                s.problem(prefix + name, value, "a header name");
            } else if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                s.problem(prefix + name, value, "a header value without control characters");
            } else {
                out.put(name, value);
            }
        });
        return out;
    }
}
