package dev.tollgate.proxy;

import dev.tollgate.config.ForwardingConfig;
import dev.tollgate.config.LimitsConfig;
import dev.tollgate.discovery.Discovery;
import dev.tollgate.resilience.ServiceGuards;
import dev.tollgate.resilience.StaleCache;

/**
 * What the proxy core reads from one configuration: the services with their instances, the guard of each service,
 * how header fields are forwarded (trusted proxies, {@code Via}, client-address headers) and the request body's
 * minimum data rate. Part of the runtime of one configuration: a request is forwarded entirely with the rules it
 * started on, and a reload builds new ones. Immutable, thread-safe.
 */
public final class ProxyRules {
    private final Discovery services;
    private final ServiceGuards guards;
    private final Forwarding forwarding;
    private final HeaderPolicy headers;
    private final StaleAnswers stale;
    private final LimitsConfig limits;

    /**
     * @param staleCache the last good responses (shared by every configuration)
     */
    public ProxyRules(Discovery services, ServiceGuards guards, ForwardingConfig forwarding, LimitsConfig limits,
                      StaleCache staleCache) {
        this.services = services;
        this.guards = guards;
        this.forwarding = new Forwarding(forwarding);
        this.headers = new HeaderPolicy(this.forwarding);
        this.stale = new StaleAnswers(staleCache, headers, forwarding.via());
        this.limits = limits;
    }

    Discovery services() {
        return services;
    }

    ServiceGuards guards() {
        return guards;
    }

    /** Who the client is behind trusted proxies, and the forwarding headers sent upstream. */
    public Forwarding forwarding() {
        return forwarding;
    }

    HeaderPolicy headers() {
        return headers;
    }

    StaleAnswers stale() {
        return stale;
    }

    /** A new meter for one request body's data rate, started now. */
    BodyRate bodyRate() {
        return new BodyRate(limits.minBodyRate(), limits.minBodyRateGrace(), System::nanoTime);
    }
}
