package dev.tollgate;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tollgate.auth.Authentication;
import dev.tollgate.config.ConfigChanges;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.discovery.Services;
import dev.tollgate.observability.AccessLog;
import dev.tollgate.observability.GatewayMetrics;
import dev.tollgate.observability.HealthCheck;
import dev.tollgate.observability.ManagementBeans;
import dev.tollgate.proxy.Forwarding;
import dev.tollgate.proxy.Outcomes;
import dev.tollgate.proxy.Proxy;
import dev.tollgate.proxy.Tunnels;
import dev.tollgate.proxy.UpstreamClient;
import dev.tollgate.ratelimit.RateLimiter;
import dev.tollgate.redis.Redis;
import dev.tollgate.resilience.Breakers;
import dev.tollgate.resilience.StaleCache;
import dev.tollgate.route.RouteTable;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What is built once from the validated configuration and lives until shutdown: discovery, the upstream client,
 * Redis, forwarding policy, metrics, the access log. Everything a request reads from the configuration sits in
 * one immutable {@link GatewayRuntime} that {@link #reload} replaces with one volatile write: a request runs on
 * the runtime it started with, later requests see the new one. Counts in-flight requests so that
 * {@link #close()} can drain them within the configured time before closing its parts in reverse order.
 * Thread-safe.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig started;
    private volatile GatewayRuntime runtime;
    private final Object reloading = new Object();
    private final GatewayMetrics metrics;
    private final Services discovery;
    private final Forwarding forwarding;
    private final UpstreamClient client;
    private final ScheduledExecutorService scheduler;
    private final Proxy proxy;
    private final Redis redis;
    private final ManagementBeans management = new ManagementBeans();
    private final AccessLog accessLog;
    private final List<HealthCheck> readiness;
    private final Authentication auth;
    private final RateLimiter rateLimiter;
    private final Breakers breakers;
    private final StaleCache staleCache;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private int inFlight;
    private boolean draining;

    public Gateway(GatewayConfig config) {
        this.started = config;
        this.metrics = new GatewayMetrics(config.jmxEnabled());
        try {
            // first of the resources that can fail on a bad setting (an unwritable access-log path)
            this.accessLog = AccessLog.start(config.accessLog(), metrics.registry());
        } catch (RuntimeException e) {
            metrics.close();
            throw e;
        }
        this.discovery = new Services(config.services(), config.consul(), Clock.systemUTC());
        discovery.start(metrics.registry(), management);
        this.forwarding = new Forwarding(config.forwarding());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tollgate-proxy-timer");
            t.setDaemon(true);
            return t;
        });
        this.client = new UpstreamClient(config.httpClient(), config.routes(), scheduler);
        metrics.bindPool(client::poolStats, config.httpClient().maxConnections());
        this.redis = config.redis().isConfigured() ? Redis.open(config.redis()) : null;
        if (redis != null) {
            metrics.bindRedis(redis::isAvailable, redis::failures);
        }
        this.readiness = Readiness.checks(this);
        this.auth = new Authentication(config.auth(), config.redis(), redis, Clock.systemUTC(), Ticker.systemTicker());
        auth.expose(management, metrics.registry(), config.auth().cache());
        this.rateLimiter = new RateLimiter(config.rateLimit(), redis, Clock.systemUTC(), metrics.registry(), management);
        this.breakers = new Breakers(config.services().values(), Clock.systemUTC(), Outcomes::countsAgainstService);
        breakers.bind(metrics.registry(), management);
        this.staleCache = new StaleCache(config.staleCache(), Clock.systemUTC());
        staleCache.bind(metrics.registry());
        this.runtime = GatewayRuntime.boot(config, auth, discovery, breakers);
        this.proxy = new Proxy(client, discovery, breakers, forwarding, staleCache, config.forwarding().via(), scheduler,
                config.limits());
        Tunnels tunnels = proxy.webSockets().tunnels();
        metrics.bindTunnels(tunnels::open, tunnels::opened);
    }

    /** The configuration in force (the latest one a reload accepted). */
    public GatewayConfig config() {
        return runtime.config();
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    public RouteTable routes() {
        return runtime.routes();
    }

    /** The runtime new requests start on: one volatile read. */
    public GatewayRuntime runtime() {
        return runtime;
    }

    /**
     * Admits a request on the current runtime, unless the gateway is draining (null). Each admitted request must
     * call {@link #exit(GatewayRuntime)} with the runtime it got.
     */
    public GatewayRuntime enterRuntime() {
        if (!enter()) {
            return null;
        }
        while (true) {
            GatewayRuntime rt = runtime;
            if (rt.tryEnter()) {
                return rt;
            }
        }
    }

    public void exit(GatewayRuntime rt) {
        rt.exit();
        exit();
    }

    /**
     * Builds the runtime of a newly loaded, validated configuration and swaps it in; the replaced one is closed
     * once its requests are over. Keys that need a restart keep their running value and are listed in the result.
     */
    public ConfigChanges.Diff reload(GatewayConfig next) {
        synchronized (reloading) {
            GatewayRuntime running = runtime;
            ConfigChanges.Diff kinds = ConfigChanges.diff(running.config(), next);
            GatewayRuntime built = running.next(next, auth, discovery, Clock.systemUTC());
            client.updateRoutes(next.routes());
            rateLimiter.updateRoutes(next.rateLimit());
            discovery.expose(built.services());
            runtime = built;
            running.retire(started.drainTimeout(), scheduler, () -> {
                auth.release(running.authenticator(), built.authenticator());
                discovery.release(running.services(), built.services());
                LOG.debug("config reload: runtime {} closed after its last request", running.generation());
            });
            return new ConfigChanges.Diff(kinds.kinds(), ConfigChanges.needingRestart(started, next));
        }
    }

    /** The readiness checks, in report order. */
    public List<HealthCheck> readiness() {
        return readiness;
    }

    /** The access log every finished request is handed to. */
    public AccessLog accessLog() {
        return accessLog;
    }

    /** Requests admitted and not yet finished. */
    public int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    /** Whether shutdown has begun: no request is admitted any more. */
    public boolean isDraining() {
        lock.lock();
        try {
            return draining;
        } finally {
            lock.unlock();
        }
    }

    public Services discovery() {
        return discovery;
    }

    public Forwarding forwarding() {
        return forwarding;
    }

    /** The non-blocking proxy core. */
    public Proxy proxy() {
        return proxy;
    }

    public UpstreamClient client() {
        return client;
    }

    /** Breaker, bulkhead and retry budget per upstream service. */
    public Breakers breakers() {
        return breakers;
    }

    /** The last good responses, served while a breaker is open. */
    public StaleCache staleCache() {
        return staleCache;
    }

    /** Where the parts register their MXBeans (unregistered at shutdown). */
    public ManagementBeans management() {
        return management;
    }

    /** The shared Redis client, or null when none is configured. */
    public Redis redis() {
        return redis;
    }

    /** Authentication: JWT and API keys, the token cache, user-context headers. */
    public Authentication auth() {
        return auth;
    }

    /** The rate limits of the routes. */
    public RateLimiter rateLimiter() {
        return rateLimiter;
    }

    /** Admits a request, unless the gateway is draining. Each admitted request must call {@link #exit()}. */
    public boolean enter() {
        lock.lock();
        try {
            if (draining) {
                return false;
            }
            inFlight++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    public void exit() {
        lock.lock();
        try {
            if (--inFlight == 0) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** WebSocket tunnels may end by themselves within what is left of the drain time; the rest are closed. */
    private void closeTunnels(long nanosLeft) {
        Tunnels tunnels = proxy.webSockets().tunnels();
        try {
            if (tunnels.open() > 0 && nanosLeft > 0) {
                tunnels.awaitClosed(nanosLeft);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tunnels.close();
    }

    /** Stops admitting requests, waits up to the drain timeout for those in flight, then closes everything. */
    @Override
    public void close() {
        Duration drain = started.drainTimeout();
        long drainStart = System.nanoTime();
        int left;
        lock.lock();
        try {
            draining = true;
            long nanos = drain.toNanos();
            while (inFlight > 0 && nanos > 0) {
                nanos = idle.awaitNanos(nanos);
            }
            left = inFlight;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            left = inFlight;
        } finally {
            lock.unlock();
        }
        if (left > 0) {
            LOG.warn("shutdown: {} requests still in flight after the drain time of {} ms; closing", left,
                    TimeUnit.NANOSECONDS.toMillis(drain.toNanos()));
        }
        closeTunnels(drainStart + drain.toNanos() - System.nanoTime());
        management.close();
        accessLog.close();
        rateLimiter.close();
        client.close();
        scheduler.shutdownNow();
        discovery.close();
        auth.close();
        if (redis != null) {
            redis.close();
        }
        metrics.close();
        LOG.info("shutdown: gateway closed");
    }
}
