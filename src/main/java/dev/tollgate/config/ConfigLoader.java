package dev.tollgate.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the configuration once at start-up and validates all of it. Sources, lowest precedence first:
 * the defaults in the WAR; an external properties file (named by the system property {@code gateway.config},
 * else the environment variable {@code GATEWAY_CONFIG}, else the web.xml context-param {@code gateway.config});
 * system properties {@code gateway.*}; environment variables naming an already-known key in upper case with
 * {@code .} and {@code -} as {@code _} (e.g. {@code GATEWAY_HTTP_CLIENT_MAX_CONNECTIONS}).
 */
public final class ConfigLoader {
    public static final String CONFIG_KEY = "gateway.config";
    /** Reload when the external file changes (see {@link GatewayConfig#watchConfig()}). */
    public static final String WATCH_KEY = "gateway.config.watch";
    public static final String CONFIG_ENV = "GATEWAY_CONFIG";
    static final String DEFAULTS = "/dev/tollgate/config/defaults.properties";

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final String LABEL = "[a-z0-9]([a-z0-9-]*[a-z0-9])?";
    private static final Pattern HOST = Pattern.compile("(\\*\\.)?" + LABEL + "(\\." + LABEL + ")*");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._~!$&'()+,=:@%-]+");
    /** Route literals are compared with canonical request paths: upper-case hex, unreserved never encoded. */
    private static final Pattern CANONICAL_ENCODING = Pattern.compile(
            "([^%]|%(?![46][1-9A-F]|[57][0-9A]|3[0-9]|2D|5F|7E|2E)[0-9A-F]{2})*");

    private ConfigLoader() {
    }

    /**
     * Loads and validates the configuration.
     *
     * @param contextParam the web.xml context-param {@code gateway.config}, or null
     * @param warResources opens a path inside the WAR ({@code /WEB-INF/...}); null when absent
     * @param system the system properties
     * @param env the environment
     * @throws ConfigException listing every problem
     */
    public static GatewayConfig load(String contextParam, Function<String, InputStream> warResources,
                                     Map<String, String> system, Map<String, String> env) {
        Map<String, String> defaults = readDefaults();
        Map<String, String> merged = new TreeMap<>(Settings.withoutTemplates(defaults));
        String location = location(contextParam, system, env);
        if (location != null) {
            merged.putAll(readExternal(location, warResources));
        }
        system.forEach((k, v) -> {
            if (k.startsWith("gateway.") && !k.equals(CONFIG_KEY)) {
                merged.put(k, v);
            }
        });
        Map<String, String> byEnvName = new TreeMap<>();
        merged.keySet().forEach(k -> byEnvName.put(envName(k), k));
        env.forEach((name, v) -> {
            String key = byEnvName.get(name);
            if (key != null) {
                merged.put(key, v);
            }
        });
        return parse(new Settings(merged, defaults), merged);
    }

    /** The external file {@link #load} reads, or null when only defaults, system properties and env apply. */
    public static String location(String contextParam, Map<String, String> system, Map<String, String> env) {
        return firstNonBlank(system.get(CONFIG_KEY), env.get(CONFIG_ENV), contextParam);
    }

    static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }

    private static Map<String, String> readDefaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS)) {
            return read(in);
        } catch (IOException e) {
            throw new ConfigException(List.of(DEFAULTS + ": cannot read the built-in defaults: " + e.getMessage()));
        }
    }

    private static Map<String, String> readExternal(String location, Function<String, InputStream> warResources) {
        try (InputStream in = location.startsWith("/WEB-INF/") && warResources != null
                ? warResources.apply(location) : Files.newInputStream(Path.of(location))) {
            if (in == null) {
                throw new IOException("not found");
            }
            return read(in);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(List.of(CONFIG_KEY + " = \"" + location
                    + "\": expected a readable properties file (" + e.getMessage() + ")"));
        }
    }

    private static Map<String, String> read(InputStream in) throws IOException {
        Properties p = new Properties();
        try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> out = new TreeMap<>();
        p.forEach((k, v) -> out.put(k.toString().trim(), v.toString()));
        return out;
    }

    static GatewayConfig parse(Settings s, Map<String, String> effective) {
        LimitsConfig limits = new LimitsConfig(
                s.integer("gateway.limits.max-uri-length", 64, 1 << 20),
                s.integer("gateway.limits.max-header-count", 4, 10_000),
                s.bool("gateway.limits.reject-underscore-headers"),
                s.size("gateway.limits.max-body-size"),
                s.size("gateway.limits.min-body-rate"),
                s.duration("gateway.limits.min-body-rate-grace"));
        List<String> trusted = s.list("gateway.forwarding.trusted-proxies");
        for (String cidr : trusted) {
            if (!Cidr.isValid(cidr)) {
                s.problem("gateway.forwarding.trusted-proxies", cidr, "IP addresses or CIDR blocks (e.g. 10.0.0.0/8)");
            }
        }
        String via = s.text("gateway.forwarding.via");
        if (!TOKEN.matcher(via).matches()) {
            s.problem("gateway.forwarding.via", via, "a token (letters, digits, - . _)");
        }
        List<String> clientAddressHeaders = headerNames(s, "gateway.forwarding.client-address-headers", false);
        String clientAddressHeader = s.string("gateway.forwarding.client-address-header");
        if (clientAddressHeader != null && !TOKEN.matcher(clientAddressHeader).matches()) {
            s.problem("gateway.forwarding.client-address-header", clientAddressHeader, "a header name");
        }
        List<String> stripHeaders = headerNames(s, "gateway.forwarding.strip-headers", true);
        ForwardingConfig forwarding = new ForwardingConfig(trusted, via, clientAddressHeaders, clientAddressHeader,
                stripHeaders);
        HttpClientConfig client = new HttpClientConfig(
                s.integer("gateway.http-client.max-connections", 1, 100_000),
                s.integer("gateway.http-client.max-connections-per-route", 1, 100_000),
                s.positiveDuration("gateway.http-client.idle-timeout"),
                s.positiveDuration("gateway.http-client.validate-after-inactivity"),
                s.positiveDuration("gateway.http-client.pool-timeout"),
                s.positiveDuration("gateway.http-client.connect-timeout"),
                s.positiveDuration("gateway.http-client.response-timeout"),
                s.integer("gateway.http-client.io-threads", 0, 256));
        Duration drain = s.duration("gateway.shutdown.drain-timeout");
        boolean jmx = s.bool("gateway.metrics.jmx.enabled");
        s.bool(WATCH_KEY); // read back through GatewayConfig.watchConfig()
        RedisConfig redis = RedisConfigs.parse(s);
        AdminConfig admin = ObservabilityConfigs.admin(s);
        AccessLogConfig accessLog = ObservabilityConfigs.accessLog(s);
        AuthConfig auth = AuthConfigs.parse(s, redis);
        ResilienceConfig resilience = ResilienceConfigs.defaults(s);
        StaleCacheConfig staleCache = ResilienceConfigs.staleCache(s);
        ConsulConfig consul = DiscoveryConfigs.consul(s);
        PassiveHealthConfig passiveHealth = DiscoveryConfigs.passiveHealthDefaults(s);

        Map<String, ServiceConfig> services = new LinkedHashMap<>();
        for (String name : s.names("gateway.services.")) {
            services.put(name, DiscoveryConfigs.service(s, name, passiveHealth, resilience));
        }
        WebSocketConfig websocketDefaults = new WebSocketConfig(false,
                s.positiveDuration("gateway.websocket.idle-timeout"),
                s.positiveDuration("gateway.websocket.max-lifetime"));
        List<RouteConfig> routes = new ArrayList<>();
        for (String name : s.names("gateway.routes.")) {
            RouteConfig r = route(s, name, limits, client, services.keySet(), websocketDefaults);
            if (r != null) {
                routes.add(r);
            }
        }
        if (routes.isEmpty()) {
            s.problem("gateway.routes", null, "at least one route (gateway.routes.<name>.path and .service)");
        }
        AuthConfigs.check(s, auth, routes);
        ClaimHeaderConfigs.check(s, auth, forwarding, routes);
        ResilienceConfigs.check(s, services, routes);
        RateLimitConfig rateLimit = RateLimitConfigs.parse(s, redis, routes);
        s.finish();
        Map<String, String> shown = new TreeMap<>();
        effective.forEach((k, v) -> {
            if (k.startsWith("gateway.")) {
                shown.put(k, v);
            }
        });
        return new GatewayConfig(limits, forwarding, client, drain, jmx, services, routes, shown,
                redis, admin, accessLog, auth, rateLimit, consul, staleCache);
    }

    /** A list of header names; with {@code prefixes}, a name may end in {@code *} to match a prefix. */
    private static List<String> headerNames(Settings s, String key, boolean prefixes) {
        List<String> names = s.list(key);
        for (String n : names) {
            String name = prefixes && n.endsWith("*") ? n.substring(0, n.length() - 1) : n;
            if (!TOKEN.matcher(name).matches() || name.contains("*")) {
                s.problem(key, n, prefixes ? "header names, each optionally ending in * (e.g. X-Consumer-*)"
                        : "header names");
            }
        }
        return names;
    }

    private static RouteConfig route(Settings s, String name, LimitsConfig limits, HttpClientConfig client,
                                     Set<String> services, WebSocketConfig websocketDefaults) {
        String p = "gateway.routes." + name + ".";
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
        AuthConfig.RouteAuth auth = AuthConfigs.route(s, p);
        TrafficSplit split = RouteTraffic.split(s, p, services, auth);
        boolean splits = split != null || s.string(p + "services") != null;
        String service = splits ? null : s.required(p + "service");
        if (service != null && !services.contains(service)) {
            s.problem(p + "service", service, "one of the configured services " + services);
        }
        RequestMatch match = RouteTraffic.match(s, p);
        String strip = prefix(s, p + "strip-prefix");
        if (!strip.isEmpty() && !isLiteralSegmentPrefix(strip, segments)) {
            s.problem(p + "strip-prefix", strip, "whole literal leading segments of the route's path " + path);
        }
        String add = prefix(s, p + "add-prefix");
        boolean preserveHost = s.bool(p + "preserve-host");
        Duration connect = s.positiveDuration(p + "connect-timeout", client.connectTimeout());
        Duration response = s.positiveDuration(p + "response-timeout", client.responseTimeout());
        Duration total = s.positiveDuration(p + "total-timeout", null);
        long maxBody = s.size(p + "max-body-size", limits.maxBodySize());
        HeaderRules req = headers(s, p + "request-headers.");
        HeaderRules res = headers(s, p + "response-headers.");
        LoadBalancing loadBalancer = s.optionalChoice(p + "load-balancer", LoadBalancing.values(),
                LoadBalancing::label);
        boolean staleIfError = s.bool(p + "stale-if-error");
        boolean staleIfErrorPublic = s.bool(p + "stale-if-error-public");
        CorsConfig cors = CorsConfigs.route(s, p);
        WebSocketConfig websocket = websocket(s, p, websocketDefaults);
        List<ClaimHeader> claimHeaders = ClaimHeaderConfigs.route(s, p, auth);
        if (path == null || service == null && split == null) {
            return null;
        }
        return new RouteConfig(name, path, segments, host, methods, service, strip, add, preserveHost,
                connect, response, maxBody, req, res, auth, loadBalancer, staleIfError, staleIfErrorPublic, total,
                cors, split, match, websocket, claimHeaders);
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

    private static String prefix(Settings s, String key) {
        String v = s.string(key);
        if (v == null) {
            return ""; // none
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
        return remove.isEmpty() && set.isEmpty() && add.isEmpty() ? HeaderRules.NONE : new HeaderRules(remove, set, add);
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
