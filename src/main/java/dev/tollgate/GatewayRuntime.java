package dev.tollgate;

import dev.tollgate.auth.AuthRuntime;
import dev.tollgate.auth.Authenticator;
import dev.tollgate.config.ConfigChanges;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.discovery.ServiceView;
import dev.tollgate.discovery.Services;
import dev.tollgate.http.HeadChecks;
import dev.tollgate.proxy.ProxyRules;
import dev.tollgate.ratelimit.RateLimiter;
import dev.tollgate.resilience.ServiceGuards;
import dev.tollgate.resilience.StaleCache;
import dev.tollgate.route.RouteTable;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Everything a request reads that comes from the configuration, as one immutable value: the configuration, the
 * route table (each route compiled once with its matcher, rewrite, headers, CORS policy, auth policy, split and
 * rate-limit rules), the authenticator with the API keys, the services with their instances and the guards of the
 * services, the request-head checks, and the proxy core's forwarding and body-rate rules. A request takes the
 * current runtime once, in the first filter, and runs entirely on it; a reload builds the next runtime and the
 * gateway swaps it in with one volatile write. A replaced runtime counts the requests still running on it and is
 * closed when the last one ends (or after the drain timeout). Thread-safe.
 */
public final class GatewayRuntime {
    private final long generation;
    private final GatewayConfig config;
    private final RouteTable routes;
    private final Authenticator authenticator;
    private final ServiceView services;
    private final ServiceGuards guards;
    private final StaleCache staleCache;
    private final ProxyRules proxyRules;
    private final HeadChecks headChecks;
    private final String adminPath;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean retired;
    private volatile Runnable onClosed = () -> { };

    /** @param adminPath the admin endpoints' path, reserved in every runtime: it takes a restart to change */
    private GatewayRuntime(long generation, GatewayConfig config, String adminPath, Authenticator authenticator,
                           ServiceView services, ServiceGuards guards, StaleCache staleCache) {
        this.generation = generation;
        this.config = config;
        this.adminPath = adminPath;
        this.routes = new RouteTable(config.routes(), RateLimiter.routeRules(config.rateLimit()), adminPath);
        this.authenticator = authenticator;
        this.services = services;
        this.guards = guards;
        this.staleCache = staleCache;
        this.proxyRules = new ProxyRules(services, guards, config.proxy().forwarding(), config.proxy().limits(),
                staleCache);
        this.headChecks = new HeadChecks(config.proxy().limits());
    }

    /** The runtime of the configuration the gateway started with. */
    static GatewayRuntime boot(GatewayConfig config, AuthRuntime auth, Services services, ServiceGuards guards,
                               StaleCache staleCache) {
        return new GatewayRuntime(1, config, config.operations().admin().path(), auth.authenticator(),
                ServiceView.of(services), guards, staleCache);
    }

    /**
     * The runtime of a reloaded, validated configuration. What did not change is reused: the authenticator when no
     * {@code gateway.auth.*} key changed (the identity providers alone when theirs did not), the pool of an
     * unchanged service, the guard of a service whose resilience settings are the same. The authenticator is built
     * last: once its providers are started, nothing else can fail. When building fails,
     * what it started for the new services is stopped again.
     */
    GatewayRuntime next(GatewayConfig next, AuthRuntime auth, Services boot, Clock clock) {
        boolean agentChanged = boot.agent(next.upstreams().consul());
        ServiceView nextServices;
        try {
            nextServices = services.next(next.upstreams().services(), boot, clock, agentChanged);
        } catch (RuntimeException e) {
            boot.agent(config.upstreams().consul()); // the running settings again, for the next reload
            throw e;
        }
        try {
            ServiceGuards nextGuards = guards.next(next.upstreams().services().values());
            boolean providersChanged = ConfigChanges.changed(config, next, ConfigChanges.PROVIDERS)
                    || ConfigChanges.changed(config, next, ConfigChanges.JWT);
            Authenticator nextAuth = ConfigChanges.changed(config, next, ConfigChanges.AUTH)
                    ? auth.reloaded(next.auth(), authenticator, providersChanged) : authenticator;
            return new GatewayRuntime(generation + 1, next, adminPath, nextAuth, nextServices, nextGuards, staleCache);
        } catch (RuntimeException e) {
            boot.release(nextServices, services); // stops the watchers and checks started for the new pools
            boot.agent(config.upstreams().consul());
            throw e;
        }
    }

    /** 1 for the start-up configuration, one more for each reload. */
    public long generation() {
        return generation;
    }

    public GatewayConfig config() {
        return config;
    }

    public RouteTable routes() {
        return routes;
    }

    /** JWT and API-key authentication with this configuration's API keys. */
    public Authenticator authenticator() {
        return authenticator;
    }

    /** The services and their instances. */
    public ServiceView services() {
        return services;
    }

    /** The breaker, bulkhead and retry budget of each service. */
    public ServiceGuards guards() {
        return guards;
    }

    /** The checks of a request's head under this configuration's limits. */
    public HeadChecks headChecks() {
        return headChecks;
    }

    /** What the proxy core reads from this configuration: services, guards, forwarding and body-rate rules. */
    public ProxyRules proxyRules() {
        return proxyRules;
    }

    /** Requests started on this runtime and not yet finished. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Whether a reload replaced this runtime and its last request has ended (or the drain time ran out). */
    public boolean isClosed() {
        return closed.get();
    }

    /** Counts a request in; false when this runtime was replaced meanwhile (take the current one again). */
    boolean tryEnter() {
        inFlight.incrementAndGet();
        if (retired) {
            exit();
            return false;
        }
        return true;
    }

    /** Counts a request out; closes a replaced runtime with its last request. */
    void exit() {
        if (inFlight.decrementAndGet() == 0 && retired) {
            close();
        }
    }

    /**
     * After the swap: closes this runtime once no request runs on it any more, at the latest after the drain time.
     */
    void retire(Duration drain, ScheduledExecutorService scheduler, Runnable closedAction) {
        onClosed = closedAction;
        retired = true;
        if (inFlight.get() == 0) {
            close();
        } else {
            scheduler.schedule(this::close, drain.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void close() {
        if (closed.compareAndSet(false, true)) {
            onClosed.run();
        }
    }
}
