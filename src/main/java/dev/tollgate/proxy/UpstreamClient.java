package dev.tollgate.proxy;

import dev.tollgate.config.HttpClientConfig;
import dev.tollgate.config.RouteConfig;
import dev.tollgate.discovery.Instance;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.pool.PoolStats;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The one HttpClient 5 (classic, blocking) with its pooling connection manager, built at start-up and shared
 * by all routes. Everything a proxy must not do is switched off: no retries (a POST is never sent twice), no
 * redirects, no cookies, no decompression, no default User-Agent. Thread-safe; closed once at shutdown.
 */
public final class UpstreamClient implements AutoCloseable {
    private final PoolingHttpClientConnectionManager pool;
    private final CloseableHttpClient client;
    private final HttpClientConfig config;
    /** Per-route request settings, replaced whole when the routes are reloaded. */
    private volatile Map<String, RequestConfig> perRoute = Map.of();

    public UpstreamClient(HttpClientConfig config, List<RouteConfig> routes) {
        this.config = config;
        this.pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(config.maxConnections())
                .setMaxConnPerRoute(config.maxConnectionsPerRoute())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(timeout(config.connectTimeout()))
                        .setSocketTimeout(timeout(config.responseTimeout()))
                        .setValidateAfterInactivity(TimeValue.ofMilliseconds(config.validateAfterInactivity().toMillis()))
                        .build())
                .build();
        this.client = HttpClients.custom()
                .setConnectionManager(pool)
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableContentCompression()
                .disableAuthCaching()
                .disableConnectionState()
                .disableDefaultUserAgent()
                .evictExpiredConnections()
                .evictIdleConnections(TimeValue.ofMilliseconds(config.idleTimeout().toMillis()))
                .build();
        updateRoutes(routes);
    }

    /**
     * Takes the request settings (timeouts) of reloaded routes. Settings of routes no longer configured are kept:
     * a request that matched such a route before the reload may still be on its way.
     */
    public synchronized void updateRoutes(List<RouteConfig> routes) {
        Map<String, RequestConfig> next = new HashMap<>(perRoute);
        for (RouteConfig r : routes) {
            next.put(r.name(), requestConfig(config, r));
        }
        perRoute = Map.copyOf(next);
    }

    @SuppressWarnings("deprecation") // the per-request connect timeout is still honoured; routes need their own
    private static RequestConfig requestConfig(HttpClientConfig config, RouteConfig route) {
        return RequestConfig.custom()
                .setConnectionRequestTimeout(timeout(config.poolTimeout()))
                .setConnectTimeout(timeout(route.connectTimeout()))
                .setResponseTimeout(timeout(route.responseTimeout()))
                .setRedirectsEnabled(false)
                .setProtocolUpgradeEnabled(false)
                .setExpectContinueEnabled(false)
                .build();
    }

    private static Timeout timeout(Duration d) {
        return Timeout.ofMilliseconds(d.toMillis());
    }

    /**
     * Sends the request to the instance and returns once the response head has arrived. The caller must close
     * the response: after reading its body to the end the connection goes back to the pool, otherwise it is
     * discarded, so a half-read connection is never reused.
     */
    public ClassicHttpResponse execute(String route, Instance instance, ClassicHttpRequest request) throws IOException {
        HttpClientContext context = HttpClientContext.create();
        context.setRequestConfig(perRoute.get(route));
        HttpHost target = new HttpHost(instance.scheme(), instance.host(), instance.port());
        return client.executeOpen(target, request, context);
    }

    public PoolStats poolStats() {
        return pool.getTotalStats();
    }

    @Override
    public void close() {
        client.close(CloseMode.GRACEFUL);
    }
}
