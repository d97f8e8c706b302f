package dev.tollgate.discovery;

import dev.tollgate.config.ServiceConfig;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The services of one configuration, as a request of that configuration sees them: an immutable map from name
 * to pool. A reload builds the next view with {@link #next}: a service whose settings did not change keeps its
 * pool (and with it its balancer position, passive-health ejections, Consul watcher and active checks); a changed
 * or added {@code static} service gets a fresh pool of its instances, a changed or added {@code consul} service or
 * service with active health checks a pool that {@link Services} keeps current from then on. Thread-safe.
 */
public final class ServiceView extends PooledDiscovery {
    private final Map<String, ServicePool> pools;
    private final Map<String, ServiceConfig> configs;

    private ServiceView(Map<String, ServicePool> pools, Map<String, ServiceConfig> configs) {
        this.pools = Map.copyOf(pools);
        this.configs = Map.copyOf(configs);
    }

    /** The view of the services as started. */
    public static ServiceView of(Services boot) {
        return new ServiceView(boot.pools(), boot.configs());
    }

    /**
     * The view of a reloaded configuration: this view's pool for a service whose settings are equal, else a new
     * one (watched and checked by {@code discovery} when the service needs it).
     *
     * @param agentChanged whether the Consul agent's settings changed: then every consul service is watched anew
     */
    public ServiceView next(Map<String, ServiceConfig> services, Services discovery, Clock clock,
                            boolean agentChanged) {
        Map<String, ServicePool> out = new LinkedHashMap<>();
        services.forEach((name, cfg) -> {
            ServiceConfig was = configs.get(name);
            if (Objects.equals(was, cfg) && !(agentChanged && cfg.isConsul())) {
                out.put(name, pools.get(name));
            } else if (!cfg.isConsul() && cfg.healthCheck() == null) {
                out.put(name, staticPool(cfg, clock));
            } else {
                out.put(name, discovery.watched(cfg, pools.get(name), was));
            }
        });
        return new ServiceView(out, services);
    }

    static ServicePool staticPool(ServiceConfig cfg, Clock clock) {
        List<WeightedInstance> list = new ArrayList<>();
        for (int i = 0; i < cfg.instances().size(); i++) {
            URI uri = cfg.instances().get(i);
            list.add(new WeightedInstance(Instance.of(uri), cfg.weights().get(i)));
        }
        return new ServicePool(cfg.name(), cfg.loadBalancer(), cfg.passiveHealth(), clock,
                new InstanceSnapshot(list, clock.instant(), false));
    }

    @Override
    ServicePool pool(String service) {
        return pools.get(service);
    }

    /** A service's settings as this view runs it (the start-up ones for a service that does not reload). */
    ServiceConfig config(String service) {
        return configs.get(service);
    }

    /** The names of the services of this view. */
    public Set<String> names() {
        return configs.keySet();
    }
}
