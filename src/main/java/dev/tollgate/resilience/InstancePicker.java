package dev.tollgate.resilience;

import dev.tollgate.config.LoadBalancing;
import dev.tollgate.discovery.Discovery;
import dev.tollgate.discovery.Instance;
import dev.tollgate.discovery.Lease;
import java.util.Set;

/**
 * The one place where an attempt asks discovery for an instance: one not tried yet for this request where the
 * service has one, else any (a retry on the only instance beats no retry). Stateless.
 */
public final class InstancePicker {
    private InstancePicker() {
    }

    /**
     * Leases an instance of the service, preferring one not in {@code tried}; null when the service has none.
     *
     * @param loadBalancer the route's balancer, or null for the service's own
     */
    public static Lease pick(Discovery discovery, String service, LoadBalancing loadBalancer, Set<Instance> tried) {
        Lease lease = discovery.choose(service, loadBalancer, tried);
        if (lease == null && !tried.isEmpty()) {
            lease = discovery.choose(service, loadBalancer, Set.of());
        }
        return lease;
    }
}
