package dev.tollgate.proxy;

import dev.tollgate.config.LimitsConfig;
import dev.tollgate.discovery.Discovery;
import dev.tollgate.resilience.Breakers;
import dev.tollgate.resilience.StaleCache;
import dev.tollgate.resilience.UpstreamGuard;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The proxy core: forwards one request to its route's service and streams the answer back, without a thread
 * waiting for either side. Built once at start-up from the gateway's collaborators; {@link #forward} is the one
 * entry point. Thread-safe.
 */
public final class Proxy {
    private final UpstreamClient client;
    private final Discovery discovery;
    private final Breakers breakers;
    private final HeaderPolicy headers;
    private final StaleAnswers stale;
    private final ScheduledExecutorService scheduler;
    private final WebSockets webSockets;
    private final LimitsConfig limits;

    /**
     * @param cacheName the name the stale-if-error cache gives itself in {@code Cache-Status}
     * @param scheduler runs retries after their backoff
     * @param limits the request body's minimum data rate
     */
    public Proxy(UpstreamClient client, Discovery discovery, Breakers breakers, Forwarding forwarding,
                 StaleCache staleCache, String cacheName, ScheduledExecutorService scheduler, LimitsConfig limits) {
        this.client = client;
        this.limits = limits;
        this.discovery = discovery;
        this.breakers = breakers;
        this.headers = new HeaderPolicy(forwarding);
        this.stale = new StaleAnswers(staleCache, headers, cacheName);
        this.scheduler = scheduler;
        this.webSockets = new WebSockets(discovery, breakers, headers, new Tunnels(scheduler, System::nanoTime));
    }

    /** Starts forwarding; returns at once. The client side hears of every step through {@link Downstream}. */
    public void forward(RequestHead head, Downstream client) {
        forward(head, client, discovery, breakers);
    }

    /**
     * Starts forwarding with the services and guards of the configuration the request started on (see
     * {@code GatewayRuntime}); returns at once.
     */
    public void forward(RequestHead head, Downstream client, Discovery services, Breakers guards) {
        new Exchange(this, head, client, services, guards.guard(head.service())).start();
    }

    /** WebSocket upgrades and their tunnels. */
    public WebSockets webSockets() {
        return webSockets;
    }

    UpstreamClient client() {
        return client;
    }

    Discovery discovery() {
        return discovery;
    }

    UpstreamGuard guard(String service) {
        return breakers.guard(service);
    }

    HeaderPolicy headers() {
        return headers;
    }

    StaleAnswers stale() {
        return stale;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** A new meter for one request body's data rate, started now. */
    BodyRate bodyRate() {
        return new BodyRate(limits.minBodyRate(), limits.minBodyRateGrace(), System::nanoTime);
    }
}
