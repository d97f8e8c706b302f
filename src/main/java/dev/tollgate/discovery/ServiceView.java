package dev.tollgate.discovery;

import dev.tollgate.config.ConfigChanges;
import dev.tollgate.config.LoadBalancing;
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
 * pool (and with it its balancer position, passive-health ejections and active checks); a changed or added
 * {@code static} service gets a fresh pool of its instances. Consul services and services with active health
 * checks are watched by the {@link Services} built at start-up and always keep that pool (a change to them needs a
 * restart). Thread-safe.
 */
public final class ServiceView implements Discovery {
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
     * The view of a reloaded configuration. A service that does not reload ({@link ConfigChanges#reloadable})
     * keeps the start-up pool; another reuses this view's pool when its settings are equal.
     */
    public ServiceView next(Map<String, ServiceConfig> services, Services boot, Clock clock) {
        Map<String, ServicePool> out = new LinkedHashMap<>();
        Map<String, ServiceConfig> cfgs = new LinkedHashMap<>();
        services.forEach((name, cfg) -> {
            ServiceConfig was = configs.get(name);
            if (!ConfigChanges.reloadable(cfg) || !ConfigChanges.reloadable(was)) {
                ServicePool started = boot.pools().get(name);
                if (started != null) {
                    out.put(name, started);
                    cfgs.put(name, boot.configs().get(name));
                }
            } else if (Objects.equals(was, cfg)) {
                out.put(name, pools.get(name));
                cfgs.put(name, cfg);
            } else {
                out.put(name, staticPool(cfg, clock));
                cfgs.put(name, cfg);
            }
        });
        return new ServiceView(out, cfgs);
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
    public Lease choose(String service, LoadBalancing loadBalancer, Set<Instance> exclude) {
        ServicePool pool = pools.get(service);
        return pool == null ? null : pool.choose(loadBalancer, exclude);
    }

    /** A service's current snapshot, or null for a service this view does not know. */
    public InstanceSnapshot snapshot(String service) {
        ServicePool pool = pools.get(service);
        return pool == null ? null : pool.snapshot();
    }

    /** A service's pool in this view, or null. */
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
