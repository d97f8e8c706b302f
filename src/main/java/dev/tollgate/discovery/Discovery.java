package dev.tollgate.discovery;

import dev.tollgate.config.LoadBalancing;
import java.util.Set;

/**
 * Picks an instance of an upstream service. Implementations answer from an in-memory snapshot, never from the
 * network, and are thread-safe.
 */
public interface Discovery {
    /**
     * Leases an instance of the service: one that is not in {@code exclude} (e.g. the instances a retry has
     * already tried) and, where the service has another, not ejected by passive health. The caller must
     * {@link Lease#release(InstanceOutcome) release} the lease with the exchange's outcome once it is over.
     *
     * @param loadBalancer the route's balancer, or null for the service's own
     * @return the lease, or null when the service has no instance left to offer
     */
    Lease choose(String service, LoadBalancing loadBalancer, Set<Instance> exclude);

    /** {@link #choose(String, String, Set)} with the service's own balancer and nothing excluded. */
    default Lease choose(String service) {
        return choose(service, null, Set.of());
    }
}
