package dev.tollgate;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tollgate.auth.AuthRuntime;
import dev.tollgate.config.AccessLogConfig;
import dev.tollgate.config.ConfigChanges;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.discovery.Services;
import dev.tollgate.observability.AccessLog;
import dev.tollgate.observability.AdminAccess;
import dev.tollgate.observability.GatewayMetrics;
import dev.tollgate.observability.HealthCheck;
import dev.tollgate.observability.ManagementBeans;
import dev.tollgate.proxy.InstanceOutcomes;
import dev.tollgate.proxy.Proxy;
import dev.tollgate.proxy.Tunnels;
import dev.tollgate.proxy.UpstreamClient;
import dev.tollgate.ratelimit.RateLimiter;
import dev.tollgate.redis.Redis;
import dev.tollgate.resilience.ServiceGuards;
import dev.tollgate.resilience.StaleCache;
import dev.tollgate.route.RouteTable;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What is built once from the validated configuration and lives until shutdown: discovery, the upstream client,
 * Redis, metrics, the access log. Everything a request reads from the configuration sits in one immutable
 * {@link GatewayRuntime} that {@link #reload} replaces with one volatile write: a request runs on the runtime it
 * started with, later requests see the new one. The {@link DrainGate} counts in-flight requests so
 * that {@link #close()} can drain them within the configured time before closing the parts in the reverse order of
 * their start; a construction that fails part-way closes what it had already started the same way. Thread-safe.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig started;
    private final Clock clock;
    private volatile GatewayRuntime runtime;
    private final Object reloading = new Object();
    private final DrainGate gate = new DrainGate();
    /** What was started, the latest on top: closed from the top down. */
    private final Deque<AutoCloseable> parts = new ArrayDeque<>();
    private final GatewayMetrics metrics;
    private final Services discovery;
    private final UpstreamClient client;
    private final ScheduledExecutorService scheduler;
    private final Proxy proxy;
    private final Redis redis;
    private final ManagementBeans management = new ManagementBeans();
    private final AccessLog accessLog;
    /** Who may call the admin endpoints: their port and path as started, the peers and token as reloaded. */
    private volatile AdminAccess adminAccess;
    private final List<HealthCheck> readiness;
    private final AuthRuntime auth;
    private final RateLimiter rateLimiter;
    private final ServiceGuards guards;
    private final StaleCache staleCache;

    /**
     * Starts every part. When one fails, those already started are closed in reverse order (no thread or MXBean
     * is left behind) and the failure is thrown.
     *
     * @param clock the time every part reads
     */
    public Gateway(GatewayConfig config, Clock clock) {
        this.started = config;
        this.adminAccess = new AdminAccess(config.operations().admin());
        this.clock = clock;
        try {
            this.metrics = started(new GatewayMetrics(config.operations().jmxEnabled()));
            // the one part that can fail on the environment (an unwritable access-log path): first, so it fails fast
            this.accessLog = started(AccessLog.start(config.operations().accessLog(), metrics.registry()));
            started(management);
            this.discovery = started(new Services(config.upstreams().services(), config.upstreams().consul(), clock));
            discovery.start(metrics.registry(), management);
            this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tollgate-proxy-timer");
                t.setDaemon(true);
                return t;
            });
            parts.push(scheduler::shutdownNow);
            this.client = started(new UpstreamClient(config.proxy().httpClient(), config.routes(), scheduler));
            metrics.bindPool(client::poolStats);
            this.redis = config.redis().isConfigured() ? started(Redis.open(config.redis())) : null;
            if (redis != null) {
                metrics.bindRedis(redis::isAvailable, redis::failures);
            }
            this.readiness = Readiness.checks(this);
            this.auth = started(new AuthRuntime(config.auth(), config.redis(), redis, clock,
                    Ticker.systemTicker()));
            auth.expose(management, metrics.registry(), config.auth().cache().label());
            this.rateLimiter = started(new RateLimiter(config.rateLimit(), redis, clock, metrics.registry(),
                    management));
            this.guards = new ServiceGuards(config.upstreams().services().values(), clock,
                    InstanceOutcomes::countsAgainstService);
            guards.bind(metrics.registry(), management);
            this.staleCache = new StaleCache(config.upstreams().staleCache(), clock);
            staleCache.bind(metrics.registry());
            this.runtime = GatewayRuntime.boot(config, auth, discovery, guards, staleCache);
            this.proxy = new Proxy(client, scheduler);
            Tunnels tunnels = proxy.webSockets().tunnels();
            parts.push(tunnels::close);
            metrics.bindTunnels(tunnels::open, tunnels::opened);
        } catch (RuntimeException | Error e) {
            LOG.error("start-up: failed ({}); closing the {} parts already started", e.toString(), parts.size());
            closeParts();
            throw e;
        }
    }

    /** Starts the gateway on the system clock. */
    public Gateway(GatewayConfig config) {
        this(config, Clock.systemUTC());
    }

    private <T extends AutoCloseable> T started(T part) {
        parts.push(part);
        return part;
    }

    /** Closes every started part, the latest first; a part that fails to close does not keep the others open. */
    private void closeParts() {
        while (!parts.isEmpty()) {
            AutoCloseable part = parts.pop();
            try {
                part.close();
            } catch (Exception | LinkageError e) {
                LOG.warn("shutdown: closing {} failed: {}", part.getClass().getSimpleName(), e.toString());
            }
        }
    }

    /** The time every part reads. */
    public Clock clock() {
        return clock;
    }

    /** Admission and the in-flight count. */
    public DrainGate drainGate() {
        return gate;
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
        if (!gate.enter()) {
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
        gate.exit();
    }

    /**
     * Builds the runtime of a newly loaded, validated configuration and swaps it in; the replaced one is closed
     * once its requests are over. Keys that need a restart keep their running value and are listed in the result.
     */
    public ConfigChanges.Diff reload(GatewayConfig next) {
        synchronized (reloading) {
            GatewayRuntime running = runtime;
            ConfigChanges.Diff kinds = ConfigChanges.diff(running.config(), next);
            AccessLogConfig log = next.operations().accessLog();
            // opened first: a destination that cannot be written refuses the reload before anything changed
            AccessLog.Channel nextLog = log.equals(running.config().operations().accessLog()) ? null
                    : accessLog.open(log);
            GatewayRuntime built;
            try {
                built = running.next(next, auth, discovery, clock);
            } catch (RuntimeException e) {
                if (nextLog != null) {
                    nextLog.close();
                }
                throw e;
            }
            client.update(next.proxy().httpClient(), next.routes());
            rateLimiter.updateRoutes(next.rateLimit());
            discovery.expose(built.services());
            runtime = built;
            if (nextLog != null) {
                accessLog.use(nextLog);
            }
            adminAccess = AdminAccess.reloaded(started.operations().admin(), next.operations().admin());
            running.retire(started.operations().drainTimeout(), scheduler, () -> {
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

    /** The admin endpoints' access rules now (a reload replaces the allowed peers and the token). */
    public AdminAccess adminAccess() {
        return adminAccess;
    }

    /** The access log every finished request is handed to. */
    public AccessLog accessLog() {
        return accessLog;
    }

    public Services discovery() {
        return discovery;
    }

    /** The non-blocking proxy core. */
    public Proxy proxy() {
        return proxy;
    }

    public UpstreamClient client() {
        return client;
    }

    /** Breaker, bulkhead and retry budget per upstream service. */
    public ServiceGuards guards() {
        return guards;
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
    public AuthRuntime auth() {
        return auth;
    }

    /** The rate limits of the routes. */
    public RateLimiter rateLimiter() {
        return rateLimiter;
    }

    /** WebSocket tunnels may end by themselves within what is left of the drain time; the rest close with the parts. */
    private void closeTunnels(long nanosLeft) {
        Tunnels tunnels = proxy.webSockets().tunnels();
        try {
            if (tunnels.open() > 0 && nanosLeft > 0) {
                tunnels.awaitClosed(nanosLeft);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops admitting requests, waits up to the drain timeout for those in flight, then closes everything. */
    @Override
    public void close() {
        Duration drain = started.operations().drainTimeout();
        long drainStart = System.nanoTime();
        int left = gate.drain(drain);
        if (left > 0) {
            LOG.warn("shutdown: {} requests still in flight after the drain time of {} ms; closing", left,
                    drain.toMillis());
        }
        closeTunnels(drainStart + drain.toNanos() - System.nanoTime());
        closeParts();
        LOG.info("shutdown: gateway closed");
    }
}
