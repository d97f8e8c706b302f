package dev.tollgate;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.discovery.Discovery;
import dev.tollgate.discovery.StaticDiscovery;
import dev.tollgate.observability.GatewayMetrics;
import dev.tollgate.observability.ManagementBeans;
import dev.tollgate.proxy.FailureMapper;
import dev.tollgate.proxy.Forwarding;
import dev.tollgate.proxy.UpstreamClient;
import dev.tollgate.redis.Redis;
import dev.tollgate.resilience.Breakers;
import dev.tollgate.resilience.StaleCache;
import dev.tollgate.route.RouteTable;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The immutable runtime built once from the validated configuration: routes, discovery, the upstream client,
 * forwarding policy and metrics. Counts in-flight requests so that {@link #close()} can drain them within the
 * configured time before closing its parts in reverse order. Thread-safe.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final GatewayMetrics metrics;
    private final RouteTable routes;
    private final Discovery discovery;
    private final Forwarding forwarding;
    private final UpstreamClient client;
    private final Redis redis;
    private final ManagementBeans management = new ManagementBeans();
    private final Breakers breakers;
    private final StaleCache staleCache;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private int inFlight;
    private boolean draining;

    public Gateway(GatewayConfig config) {
        this.config = config;
        this.metrics = new GatewayMetrics(config.jmxEnabled());
        this.routes = new RouteTable(config.routes());
        this.discovery = new StaticDiscovery(config.services());
        this.forwarding = new Forwarding(config.forwarding());
        this.client = new UpstreamClient(config.httpClient(), config.routes());
        metrics.bindPool(client::poolStats, config.httpClient().maxConnections());
        this.redis = config.redis().isConfigured() ? Redis.open(config.redis()) : null;
        if (redis != null) {
            metrics.bindRedis(redis::isAvailable, redis::failures);
        }
        this.breakers = new Breakers(config.services().values(), Clock.systemUTC(),
                t -> !FailureMapper.map(t).clientFault());
        breakers.bind(metrics.registry(), management);
        this.staleCache = new StaleCache(config.staleCache(), Clock.systemUTC());
        staleCache.bind(metrics.registry());
    }

    public GatewayConfig config() {
        return config;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    public RouteTable routes() {
        return routes;
    }

    public Discovery discovery() {
        return discovery;
    }

    public Forwarding forwarding() {
        return forwarding;
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

    /** Stops admitting requests, waits up to the drain timeout for those in flight, then closes everything. */
    @Override
    public void close() {
        Duration drain = config.drainTimeout();
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
        management.close();
        client.close();
        breakers.close();
        if (redis != null) {
            redis.close();
        }
        metrics.close();
        LOG.info("shutdown: gateway closed");
    }
}
