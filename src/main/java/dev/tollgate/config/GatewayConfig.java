package dev.tollgate.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The whole validated configuration, immutable. Built once by {@link ConfigLoader}.
 *
 * @param limits request hygiene limits
 * @param forwarding forwarding-header policy
 * @param httpClient the upstream connection pool
 * @param drainTimeout longest wait for in-flight requests at shutdown
 * @param jmxEnabled expose the metrics registry over JMX (domain {@code tollgate})
 * @param services upstream services by name
 * @param routes the routes
 * @param effective every effective {@code gateway.*} property, for the start-up log
 * @param redis the shared Redis server, if any
 * @param admin the admin endpoints
 * @param accessLog the access log
 * @param auth authentication: JWT, API keys, token cache, user-context headers
 * @param rateLimit the rate-limit rules and the routes they apply to
 * @param consul the Consul agent watched for services with {@code discovery = consul}
 * @param staleCache the last-good-response cache used while a breaker is open
 */
public record GatewayConfig(LimitsConfig limits, ForwardingConfig forwarding, HttpClientConfig httpClient,
                            Duration drainTimeout, boolean jmxEnabled, Map<String, ServiceConfig> services,
                            List<RouteConfig> routes, Map<String, String> effective,
                            RedisConfig redis, AdminConfig admin, AccessLogConfig accessLog,
                            AuthConfig auth, RateLimitConfig rateLimit, ConsulConfig consul,
                            StaleCacheConfig staleCache) {
    public GatewayConfig {
        services = Map.copyOf(services);
        routes = List.copyOf(routes);
        effective = Map.copyOf(effective);
    }

    /**
     * {@code gateway.config.watch}: reload when the external properties file changes (validated as a boolean by
     * {@link ConfigLoader}).
     */
    public boolean watchConfig() {
        return "true".equalsIgnoreCase(effective.getOrDefault(ConfigLoader.WATCH_KEY, "false").trim());
    }
}
