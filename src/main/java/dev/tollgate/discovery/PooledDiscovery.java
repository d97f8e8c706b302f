package dev.tollgate.discovery;

import dev.tollgate.config.LoadBalancing;
import java.util.Set;

/**
 * {@link Discovery} over a set of {@link ServicePool}s by service name: the services as started and each
 * runtime's view of them answer the same way.
 */
abstract class PooledDiscovery implements Discovery {
    /** A service's pool, or null for a service this set does not know. */
    abstract ServicePool pool(String service);

    @Override
    public Lease choose(String service, LoadBalancing loadBalancer, Set<Instance> exclude) {
        ServicePool pool = pool(service);
        return pool == null ? null : pool.choose(loadBalancer, exclude);
    }

    /** A service's current snapshot, or null for a service this set does not know. */
    public InstanceSnapshot snapshot(String service) {
        ServicePool pool = pool(service);
        return pool == null ? null : pool.snapshot();
    }
}
