package dev.tollgate.discovery;

import dev.tollgate.config.ServiceConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Instances listed in the configuration, picked round robin. Immutable apart from the per-service counters;
 * thread-safe.
 */
public final class StaticDiscovery implements Discovery {
    private final Map<String, Pool> pools = new HashMap<>();

    public StaticDiscovery(Map<String, ServiceConfig> services) {
        services.forEach((name, cfg) ->
                pools.put(name, new Pool(cfg.instances().stream().map(Instance::of).toArray(Instance[]::new))));
    }

    @Override
    public Instance choose(String service) {
        Pool pool = pools.get(service);
        return pool == null ? null : pool.next();
    }

    private static final class Pool {
        private final Instance[] instances;
        private final AtomicInteger next = new AtomicInteger();

        Pool(Instance[] instances) {
            this.instances = instances;
        }

        Instance next() {
            if (instances.length == 0) {
                return null;
            }
            return instances[Math.floorMod(next.getAndIncrement(), instances.length)];
        }
    }
}
