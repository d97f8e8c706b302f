package dev.tollgate.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
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
    /** Reload when the external file changes (see {@link GatewayConfig.Operations#watchConfig()}). */
    public static final String WATCH_KEY = "gateway.config.watch";
    public static final String CONFIG_ENV = "GATEWAY_CONFIG";
    static final String DEFAULTS = "/dev/tollgate/config/defaults.properties";

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

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
        Map<String, String> merged = new TreeMap<>(Defaults.withoutTemplates(defaults));
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
        GatewayConfig.Proxy proxy = new GatewayConfig.Proxy(limits(s), forwarding(s), httpClient(s));
        GatewayConfig.Operations operations = new GatewayConfig.Operations(
                s.duration("gateway.shutdown.drain-timeout"), s.bool("gateway.metrics.jmx.enabled"),
                ObservabilityConfigs.admin(s), ObservabilityConfigs.accessLog(s), s.bool(WATCH_KEY));
        RedisConfig redis = RedisConfigs.parse(s);
        AuthConfig auth = AuthConfigs.parse(s, redis);
        GatewayConfig.Upstreams upstreams = upstreams(s);
        WebSocketConfig websocket = new WebSocketConfig(false, s.positiveDuration("gateway.websocket.idle-timeout"),
                s.positiveDuration("gateway.websocket.max-lifetime"));
        List<RouteConfig> routes = RouteConfigs.routes(s, new RouteConfigs.Inherited(proxy.limits(),
                proxy.httpClient(), websocket, upstreams.services().keySet()));
        AuthConfigs.check(s, auth, routes);
        ClaimHeaderConfigs.check(s, auth, proxy.forwarding(), routes);
        ResilienceConfigs.check(s, upstreams.services(), routes);
        RateLimitConfig rateLimit = RateLimitConfigs.parse(s, redis, routes);
        s.finish();
        Map<String, String> shown = new TreeMap<>();
        effective.forEach((k, v) -> {
            if (k.startsWith("gateway.")) {
                shown.put(k, v);
            }
        });
        return new GatewayConfig(proxy, upstreams, routes, auth, rateLimit, redis, operations, shown);
    }

    private static LimitsConfig limits(Settings s) {
        return new LimitsConfig(
                s.integer("gateway.limits.max-uri-length", 64, 1 << 20),
                s.integer("gateway.limits.max-header-count", 4, 10_000),
                s.bool("gateway.limits.reject-underscore-headers"),
                s.size("gateway.limits.max-body-size"),
                s.size("gateway.limits.min-body-rate"),
                s.duration("gateway.limits.min-body-rate-grace"));
    }

    private static ForwardingConfig forwarding(Settings s) {
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
        return new ForwardingConfig(trusted, via, clientAddressHeaders, clientAddressHeader, stripHeaders);
    }

    private static HttpClientConfig httpClient(Settings s) {
        return new HttpClientConfig(
                s.integer("gateway.http-client.max-connections", 1, 100_000),
                s.integer("gateway.http-client.max-connections-per-route", 1, 100_000),
                s.positiveDuration("gateway.http-client.idle-timeout"),
                s.positiveDuration("gateway.http-client.validate-after-inactivity"),
                s.positiveDuration("gateway.http-client.pool-timeout"),
                s.positiveDuration("gateway.http-client.connect-timeout"),
                s.positiveDuration("gateway.http-client.response-timeout"),
                s.integer("gateway.http-client.io-threads", 0, 256));
    }

    /** The services, each starting from the global passive-health and resilience settings. */
    private static GatewayConfig.Upstreams upstreams(Settings s) {
        ResilienceConfig resilience = ResilienceConfigs.defaults(s);
        StaleCacheConfig staleCache = ResilienceConfigs.staleCache(s);
        ConsulConfig consul = DiscoveryConfigs.consul(s);
        PassiveHealthConfig passiveHealth = DiscoveryConfigs.passiveHealthDefaults(s);
        Map<String, ServiceConfig> services = new LinkedHashMap<>();
        for (String name : s.names("gateway.services.")) {
            services.put(name, DiscoveryConfigs.service(s, name, passiveHealth, resilience));
        }
        return new GatewayConfig.Upstreams(services, consul, staleCache);
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
}
