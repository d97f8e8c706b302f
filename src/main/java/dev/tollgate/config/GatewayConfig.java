package dev.tollgate.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole validated configuration, immutable, its sections grouped by what they are about. Built once by
 * {@link ConfigLoader}.
 *
 * @param proxy how requests are checked and forwarded
 * @param upstreams the upstream services and what finds and guards them
 * @param routes the routes
 * @param auth authentication: JWT, API keys, token cache, user-context headers
 * @param rateLimit the rate-limit rules and the routes they apply to
 * @param redis the shared Redis server, if any
 * @param operations lifecycle and observability: shutdown, JMX, admin endpoints, access log
 * @param effective every effective {@code gateway.*} property, for the start-up log
 */
public record GatewayConfig(Proxy proxy, Upstreams upstreams, List<RouteConfig> routes, AuthConfig auth,
                            RateLimitConfig rateLimit, RedisConfig redis, Operations operations,
                            Map<String, String> effective) {
    public GatewayConfig {
        routes = List.copyOf(routes);
        effective = Map.copyOf(effective);
    }

    /**
     * How requests are checked and forwarded.
     *
     * @param limits request hygiene limits
     * @param forwarding forwarding-header policy
     * @param httpClient the upstream connection pool
     */
    public record Proxy(LimitsConfig limits, ForwardingConfig forwarding, HttpClientConfig httpClient) {
    }

    /**
     * The upstream services and what finds and guards them.
     *
     * @param services upstream services by name, in name order
     * @param consul the Consul agent watched for services with {@code discovery = consul}
     * @param staleCache the last-good-response cache used while a breaker is open
     */
    public record Upstreams(Map<String, ServiceConfig> services, ConsulConfig consul, StaleCacheConfig staleCache) {
        public Upstreams {
            services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
        }
    }

    /**
     * Lifecycle and observability.
     *
     * @param drainTimeout longest wait for in-flight requests at shutdown
     * @param jmxEnabled expose the metrics registry over JMX (domain {@code tollgate})
     * @param admin the admin endpoints
     * @param accessLog the access log
     * @param watchConfig {@code gateway.config.watch}: reload when the external properties file changes
     */
    public record Operations(Duration drainTimeout, boolean jmxEnabled, AdminConfig admin, AccessLogConfig accessLog,
                             boolean watchConfig) {
    }
}
