package dev.tollgate.discovery;

import dev.tollgate.config.HealthCheckConfig;
import dev.tollgate.config.ServiceConfig;
import dev.tollgate.observability.ManagementBeans;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;

/** The {@link DiscoveryMXBean} of one service. Thread-safe (reads the pool's atomic state). */
final class DiscoveryBean implements DiscoveryMXBean {
    private final ServicePool pool;
    private final String policy;
    private final String loadBalancer;
    private final HealthCheckConfig healthCheck;
    private final ConsulWatcher watcher;
    private final Clock clock;

    /** @param watcher the service's Consul watcher, or null for a static service */
    DiscoveryBean(ServicePool pool, ServiceConfig config, ConsulWatcher watcher, Clock clock) {
        this.pool = pool;
        this.policy = config.discovery().label();
        this.loadBalancer = config.loadBalancer().label();
        this.healthCheck = config.healthCheck();
        this.watcher = watcher;
        this.clock = clock;
    }

    @Override
    public String getPolicy() {
        return policy;
    }

    @Override
    public String getLoadBalancer() {
        return loadBalancer;
    }

    @Override
    public String[] getInstances() {
        return pool.snapshot().instances().stream().map(w -> w.instance() + " weight=" + w.weight())
                .toArray(String[]::new);
    }

    @Override
    public String[] getEjectedInstances() {
        return pool.ejected().stream().map(Instance::toString).toArray(String[]::new);
    }

    @Override
    public String getHealthCheck() {
        if (healthCheck == null) {
            return "none";
        }
        return "GET " + healthCheck.path() + " every " + healthCheck.interval().toMillis() + " ms, timeout "
                + healthCheck.timeout().toMillis() + " ms, expecting " + healthCheck.expectedStatuses();
    }

    @Override
    public String[] getUnhealthyInstances() {
        return pool.unhealthy().stream().map(Instance::toString).toArray(String[]::new);
    }

    @Override
    public long getSnapshotAgeSeconds() {
        return pool.snapshot().age(clock.instant()).toSeconds();
    }

    @Override
    public boolean isStale() {
        return pool.snapshot().stale();
    }

    @Override
    public long getWatcherErrors() {
        return watcher == null ? 0 : watcher.errors();
    }

    @Override
    public long getEjections() {
        return pool.ejections();
    }

    @Override
    public String resync() {
        return ManagementBeans.audited("resync", "discovery " + pool.name(), () -> {
            if (watcher == null) {
                return "static: nothing to read";
            }
            try {
                return watcher.resync();
            } catch (IOException e) {
                throw new UncheckedIOException("Consul query failed: " + e.getMessage(), e);
            }
        });
    }
}
