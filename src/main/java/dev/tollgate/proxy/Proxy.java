package dev.tollgate.proxy;

import java.util.concurrent.ScheduledExecutorService;

/**
 * The proxy core: forwards one request to its route's service and streams the answer back, without a thread
 * waiting for either side. Built once at start-up with the upstream client and the scheduler; what it reads from
 * the configuration comes with each request as the {@link ProxyRules} of the configuration the request started
 * on. {@link #forward} is the one entry point. Thread-safe.
 */
public final class Proxy {
    private final UpstreamClient client;
    private final ScheduledExecutorService scheduler;
    private final WebSockets webSockets;

    /**
     * @param scheduler runs retries after their backoff, and the WebSocket tunnels' timeouts
     */
    public Proxy(UpstreamClient client, ScheduledExecutorService scheduler) {
        this.client = client;
        this.scheduler = scheduler;
        this.webSockets = new WebSockets(new Tunnels(scheduler, System::nanoTime));
    }

    /** Starts forwarding with the rules of the configuration the request started on; returns at once. */
    public void forward(RequestHead head, Downstream client, ProxyRules rules) {
        new Exchange(this, head, client, rules).start();
    }

    /** WebSocket upgrades and their tunnels. */
    public WebSockets webSockets() {
        return webSockets;
    }

    UpstreamClient client() {
        return client;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }
}
