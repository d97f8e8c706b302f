package dev.tollgate.proxy;

import dev.tollgate.config.HttpClientConfig;
import dev.tollgate.config.RouteConfig;
import dev.tollgate.discovery.Instance;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.async.MinimalHttpAsyncClient;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.nio.AsyncClientExchangeHandler;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.config.H2Config;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.pool.PoolStats;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The one HttpClient 5 async client with its pooling connection manager, built at start-up and shared by all
 * routes. It is the minimal client: no execution chain, so nothing a proxy must not do can happen (no retries, no
 * redirects, no cookies, no decompression, no authentication caching). Its I/O reactor runs one thread per core;
 * those threads never wait: each exchange is driven by its {@link AsyncClientExchangeHandler} as bytes arrive and
 * as the client side can take them. Upstreams are spoken to over HTTP/1.1, with keep-alive. Idle pooled
 * connections are closed in the background. Thread-safe; closed once at shutdown.
 */
public final class UpstreamClient implements AutoCloseable {
    private final PoolingAsyncClientConnectionManager pool;
    private final MinimalHttpAsyncClient client;
    private final ScheduledExecutorService scheduler;
    /** The pool's settings; a reload replaces all but the I/O thread count, which the reactor started with. */
    private volatile HttpClientConfig config;
    private ScheduledFuture<?> evictor;
    /** Per-route request settings with the route settings they were made of, replaced whole by a reload. */
    private volatile Map<String, Settings> perRoute = Map.of();

    private record Settings(RouteConfig route, RequestConfig request) {
    }

    public UpstreamClient(HttpClientConfig config, List<RouteConfig> routes, ScheduledExecutorService scheduler) {
        this.config = config;
        this.scheduler = scheduler;
        this.pool = PoolingAsyncClientConnectionManagerBuilder.create()
                .setMaxConnTotal(config.maxConnections())
                .setMaxConnPerRoute(config.maxConnectionsPerRoute())
                .setDefaultConnectionConfig(connectionConfig(config))
                .setDefaultTlsConfig(TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_1).build())
                .build();
        this.client = HttpAsyncClients.createMinimal(HttpVersionPolicy.FORCE_HTTP_1, H2Config.DEFAULT,
                Http1Config.DEFAULT, IOReactorConfig.custom()
                        .setIoThreadCount(config.ioThreadCount())
                        .setTcpNoDelay(true)
                        .setSoTimeout(timeout(config.responseTimeout()))
                        .build(), pool);
        client.start();
        this.evictor = evictor(config.idleTimeout());
        updateRoutes(routes);
    }

    private static ConnectionConfig connectionConfig(HttpClientConfig config) {
        return ConnectionConfig.custom()
                .setConnectTimeout(timeout(config.connectTimeout()))
                .setSocketTimeout(timeout(config.responseTimeout()))
                .setValidateAfterInactivity(TimeValue.ofMilliseconds(config.validateAfterInactivity().toMillis()))
                .build();
    }

    /** Closes expired connections and those idle longer than {@code idleTimeout}, in the background. */
    private ScheduledFuture<?> evictor(Duration idleTimeout) {
        long every = Math.max(1000, Math.min(idleTimeout.toMillis(), 30_000) / 2);
        TimeValue idle = TimeValue.ofMilliseconds(idleTimeout.toMillis());
        return scheduler.scheduleWithFixedDelay(() -> {
            pool.closeExpired();
            pool.closeIdle(idle);
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes a reloaded configuration's pool settings and routes: the pool's limits apply at once (a smaller limit
     * lets the connections over it close as they are released), connection settings to connections opened from
     * now on, the pool timeout and route timeouts to requests that start from now on. The I/O thread count stays
     * as started.
     */
    public synchronized void update(HttpClientConfig next, List<RouteConfig> routes) {
        HttpClientConfig running = config;
        if (!next.equals(running)) {
            pool.setMaxTotal(next.maxConnections());
            pool.setDefaultMaxPerRoute(next.maxConnectionsPerRoute());
            pool.setDefaultConnectionConfig(connectionConfig(next));
            if (!next.idleTimeout().equals(running.idleTimeout())) {
                evictor.cancel(false);
                evictor = evictor(next.idleTimeout());
            }
            config = next;
        }
        updateRoutes(routes);
    }

    /**
     * Takes the request settings (timeouts) of reloaded routes. Settings of routes no longer configured are kept:
     * a request that matched such a route before the reload may still be on its way.
     */
    private synchronized void updateRoutes(List<RouteConfig> routes) {
        Map<String, Settings> next = new HashMap<>(perRoute);
        for (RouteConfig r : routes) {
            next.put(r.name(), new Settings(r, requestConfig(config, r)));
        }
        perRoute = Map.copyOf(next);
    }

    @SuppressWarnings("deprecation") // the per-request connect timeout is still honoured; routes need their own
    private static RequestConfig requestConfig(HttpClientConfig config, RouteConfig route) {
        return RequestConfig.custom()
                .setConnectionRequestTimeout(timeout(config.poolTimeout()))
                .setConnectTimeout(timeout(route.limits().connectTimeout()))
                .setResponseTimeout(timeout(route.limits().responseTimeout()))
                .setRedirectsEnabled(false)
                .setProtocolUpgradeEnabled(false)
                .setExpectContinueEnabled(false)
                .build();
    }

    private static Timeout timeout(Duration d) {
        return Timeout.ofMilliseconds(d.toMillis());
    }

    /**
     * Starts one exchange with the instance on the route's timeouts; the handler is called back on an I/O reactor
     * thread as the exchange proceeds. The returned handle cancels it (the connection is then discarded, never
     * reused half-read).
     */
    Cancellable execute(RouteConfig route, Instance instance, AsyncClientExchangeHandler exchange) {
        HttpClientContext context = HttpClientContext.create();
        Settings s = perRoute.get(route.name());
        // a request that started before a reload keeps its route's timeouts: its settings are made again for it
        context.setRequestConfig(s != null && s.route() == route ? s.request() : requestConfig(config, route));
        return client.execute(exchange, null, context);
    }

    public PoolStats poolStats() {
        return pool.getTotalStats();
    }

    /** The pool's limit per upstream instance now (the total limit is in {@link #poolStats()}). */
    public int maxConnectionsPerRoute() {
        return pool.getDefaultMaxPerRoute();
    }

    @Override
    public synchronized void close() {
        evictor.cancel(false);
        client.close(CloseMode.GRACEFUL);
    }
}
