package dev.tollgate.discovery;

import dev.tollgate.config.ConsulConfig;
import dev.tollgate.config.ConsulServiceConfig;
import dev.tollgate.config.ServiceConfig;
import dev.tollgate.observability.ManagementBeans;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream services by name, each a {@link ServicePool}: fixed for {@code static} services, kept current by
 * a {@link ConsulWatcher} for {@code consul} services, checked by {@link HealthProbes} when they have active health
 * checks. Requests only read memory. Lifecycle: construct (reads the snapshot file), {@link #start} (meters,
 * MXBeans, watchers, checks; waits briefly for Consul's first answers), {@link #close()} (stops the checks and the
 * watchers, then their client). A reload adds watched pools with {@link #watched} and stops those it replaced
 * with {@link #release}. Thread-safe.
 */
public final class Services extends PooledDiscovery implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Services.class);

    private final Map<String, ServicePool> pools = new LinkedHashMap<>();
    private final Map<String, ServiceConfig> configs;
    /** Every running watcher, by the pool it keeps current (identity). */
    private final Map<ServicePool, ConsulWatcher> watchers = new ConcurrentHashMap<>();
    /** Every checked pool's health-check target. */
    private final Map<ServicePool, HealthProbes.Target> checked = new ConcurrentHashMap<>();
    /** The newest watcher of each consul service: the one whose instances the snapshot file keeps. */
    private final Map<String, ConsulWatcher> newest = new ConcurrentHashMap<>();
    /** The Consul agent's settings for watchers started from now on; a reload may replace them ({@link #agent}). */
    private volatile ConsulConfig consul;
    private volatile SnapshotFile file;
    private final HealthProbes probes = new HealthProbes(() -> ThreadLocalRandom.current().nextDouble());
    private final Clock clock;
    /** Created with the first consul service (at start-up or by a reload) of the current agent settings. */
    private ConsulClient client;
    /** The client each running watcher asks. */
    private final Map<ConsulWatcher, ConsulClient> clientOf = new ConcurrentHashMap<>();
    /** Clients of replaced agent settings, closed once no watcher asks them any more. */
    private final List<ConsulClient> retired = new ArrayList<>();
    /** What each service's meters and MXBean show now; filled by {@link #start}. */
    private final Map<String, Exposed> exposed = new LinkedHashMap<>();
    private MeterRegistry registry;
    private ManagementBeans management;

    public Services(Map<String, ServiceConfig> services, ConsulConfig consul, Clock clock) {
        this.configs = Map.copyOf(services);
        this.consul = consul;
        this.clock = clock;
        this.file = snapshotFile(consul);
        Map<String, SnapshotFile.Entry> saved = services.values().stream().anyMatch(ServiceConfig::isConsul)
                ? readSaved() : Map.of();
        services.forEach((name, cfg) -> {
            if (cfg.isConsul()) {
                ConsulServiceConfig query = resolved(cfg.consul());
                SnapshotFile.Entry entry = saved.get(name);
                InstanceSnapshot initial;
                if (entry != null && SnapshotFile.matches(entry.query(), query, null)) {
                    initial = entry.snapshot();
                    LOG.info("service={} starting from the snapshot file with {} instances confirmed at {}", name,
                            initial.instances().size(), initial.confirmedAt());
                } else {
                    initial = new InstanceSnapshot(List.of(), clock.instant(), true);
                }
                ServicePool pool = new ServicePool(name, cfg.loadBalancer(), cfg.passiveHealth(), clock, initial);
                pools.put(name, pool);
                watcher(pool, query);
            } else {
                pools.put(name, ServiceView.staticPool(cfg, clock));
            }
            if (cfg.healthCheck() != null) {
                checked.put(pools.get(name), new HealthProbes.Target(pools.get(name), cfg.healthCheck()));
            }
        });
    }

    /** A new watcher of the pool (not started), now the newest of its service. */
    private synchronized ConsulWatcher watcher(ServicePool pool, ConsulServiceConfig query) {
        if (client == null) {
            client = new ConsulClient(consul);
        }
        BlockingQuery loop = new BlockingQuery(consul.blockingWait(), consul.fullReadInterval(),
                consul.retryMin(), consul.retryMax(), clock, () -> ThreadLocalRandom.current().nextDouble());
        ConsulWatcher w = new ConsulWatcher(pool, query, client, loop, this::save);
        clientOf.put(w, client);
        watchers.put(pool, w);
        newest.put(pool.name(), w);
        return w;
    }

    /**
     * Takes the Consul agent settings of a reloaded configuration (address, token, datacenter, timings, snapshot
     * file). Watchers started from now on ask a new client; the running ones keep theirs until {@link #release}
     * stops them, and a replaced client is closed with its last watcher.
     *
     * @return whether the settings changed: then every consul service needs a new watcher
     */
    public synchronized boolean agent(ConsulConfig next) {
        if (next.equals(consul)) {
            return false;
        }
        consul = next;
        if (client != null) {
            retired.add(client);
            client = null;
        }
        file = snapshotFile(next);
        LOG.info("discovery: Consul agent settings changed; consul services are watched anew at {}", next.address());
        return true;
    }

    /** The agent settings' snapshot file, or null when they name none. */
    private static SnapshotFile snapshotFile(ConsulConfig consul) {
        return consul.snapshotFile() == null ? null : new SnapshotFile(consul.snapshotFile());
    }

    /** Closes the replaced clients that no running watcher asks any more. */
    private synchronized void closeRetired() {
        for (Iterator<ConsulClient> it = retired.iterator(); it.hasNext(); ) {
            ConsulClient c = it.next();
            if (!clientOf.containsValue(c)) {
                c.close();
                it.remove();
            }
        }
    }

    /** The query with the global datacenter filled in. */
    private ConsulServiceConfig resolved(ConsulServiceConfig c) {
        return new ConsulServiceConfig(c.service(), c.tags(),
                c.datacenter() != null ? c.datacenter() : consul.datacenter(), c.scheme());
    }

    private Map<String, SnapshotFile.Entry> readSaved() {
        if (file == null) {
            return Map.of();
        }
        try {
            return file.read();
        } catch (IOException | RuntimeException e) {
            LOG.warn("discovery: snapshot file {} not used: {}", file.path(), e.toString());
            return Map.of();
        }
    }

    /**
     * Registers the meters and MXBeans, starts the Consul watchers and waits for each one's first answer (or
     * failure) up to the Consul connect timeout plus one second, so that a gateway started with Consul up serves
     * its first request from a fresh list; then starts the active health checks.
     */
    public void start(MeterRegistry registry, ManagementBeans management) {
        synchronized (exposed) {
            this.registry = registry;
            this.management = management;
            pools.forEach((name, pool) -> expose(name, pool, configs.get(name)));
        }
        List<ConsulWatcher> started = List.copyOf(watchers.values());
        started.forEach(ConsulWatcher::start);
        awaitFirstAnswers(started);
        checked.values().forEach(probes::add);
    }

    private void awaitFirstAnswers(List<ConsulWatcher> started) {
        Duration patience = consul.connectTimeout().plusSeconds(1);
        long deadline = System.nanoTime() + patience.toNanos();
        for (ConsulWatcher w : started) {
            try {
                Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
                if (!w.awaitFirstAttempt(left)) {
                    LOG.warn("service={} no answer from Consul within {} ms; serving {} instances", w.pool().name(),
                            patience.toMillis(), w.pool().snapshot().instances().size());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    /**
     * The pool of a {@code consul} service or a service with active health checks that a reload added or changed,
     * kept current from now on: its watcher started (the reload waits for Consul's first answer as the start-up
     * does), its checks scheduled. A consul service whose query did not change starts from the instances of the
     * pool it replaces, a checked one with the health of the instances it keeps. {@link #release} stops the
     * replaced pool once no request uses it.
     *
     * @param previous the pool this one replaces, or null
     * @param was the settings of {@code previous}, or null
     */
    ServicePool watched(ServiceConfig cfg, ServicePool previous, ServiceConfig was) {
        ServicePool pool;
        ConsulWatcher w = null;
        if (cfg.isConsul()) {
            ConsulServiceConfig query = resolved(cfg.consul());
            boolean sameQuery = previous != null && was.isConsul() && resolved(was.consul()).equals(query);
            InstanceSnapshot initial = sameQuery ? previous.snapshot()
                    : new InstanceSnapshot(List.of(), clock.instant(), true);
            pool = new ServicePool(cfg.name(), cfg.loadBalancer(), cfg.passiveHealth(), clock, initial);
            w = watcher(pool, query);
        } else {
            pool = ServiceView.staticPool(cfg, clock);
        }
        if (previous != null && was.healthCheck() != null && cfg.healthCheck() != null) {
            pool.keepActiveHealth(previous);
        }
        if (w != null) {
            w.start();
            awaitFirstAnswers(List.of(w));
        }
        if (cfg.healthCheck() != null) {
            HealthProbes.Target t = new HealthProbes.Target(pool, cfg.healthCheck());
            checked.put(pool, t);
            probes.add(t);
        }
        return pool;
    }

    /**
     * After a reload, once no request runs on {@code replaced} any more: stops the watchers and health checks of
     * its pools that {@code current} does not use (a watcher's query in flight is aborted).
     */
    public void release(ServiceView replaced, ServiceView current) {
        for (String name : replaced.names()) {
            ServicePool pool = replaced.pool(name);
            if (current.pool(name) == pool) {
                continue;
            }
            HealthProbes.Target t = checked.remove(pool);
            if (t != null) {
                probes.remove(t);
            }
            ConsulWatcher w = watchers.remove(pool);
            if (w != null) {
                w.stop();
                newest.remove(name, w);
                clientOf.remove(w);
            }
        }
        closeRetired();
    }

    /**
     * After a reload: the meters and MXBean of each service show the pool of {@code view}. A service the reload
     * added gets them, one whose pool it replaced (changed instances or settings) shows the new pool, and one it
     * removed has none any more. Services that kept their pool are left as they are.
     */
    public void expose(ServiceView view) {
        synchronized (exposed) {
            if (registry == null) {
                return; // not started: nothing is exposed yet
            }
            for (String name : List.copyOf(exposed.keySet())) {
                if (view.pool(name) == null) {
                    unexpose(name);
                }
            }
            for (String name : view.names()) {
                ServicePool pool = view.pool(name);
                Exposed now = exposed.get(name);
                if (now == null || now.pool() != pool) {
                    unexpose(name);
                    expose(name, pool, view.config(name));
                }
            }
        }
    }

    private void expose(String name, ServicePool pool, ServiceConfig cfg) {
        ConsulWatcher watcher = watchers.get(pool);
        List<Meter> meters = bind(pool, cfg, watcher);
        management.register(ManagementBeans.name("Discovery", name), new DiscoveryBean(pool, cfg, watcher, clock));
        exposed.put(name, new Exposed(pool, meters));
    }

    private void unexpose(String name) {
        Exposed was = exposed.remove(name);
        if (was == null) {
            return;
        }
        was.meters().forEach(registry::remove);
        management.unregister(ManagementBeans.name("Discovery", name));
    }

    private List<Meter> bind(ServicePool pool, ServiceConfig cfg, ConsulWatcher watcher) {
        String service = pool.name();
        List<Meter> out = new ArrayList<>();
        out.add(Gauge.builder("tollgate.discovery.instances", pool, p -> p.snapshot().instances().size())
                .tag("service", service).description("instances in the service's snapshot").register(registry));
        out.add(Gauge.builder("tollgate.discovery.instances.ejected", pool, p -> p.ejected().size())
                .tag("service", service).description("instances ejected by passive health").register(registry));
        out.add(FunctionCounter.builder("tollgate.discovery.ejections", pool, ServicePool::ejections)
                .tag("service", service).description("ejections by passive health").register(registry));
        if (cfg.healthCheck() != null) {
            out.add(Gauge.builder("tollgate.discovery.instances.unhealthy", pool, p -> p.unhealthy().size())
                    .tag("service", service).description("instances failing their active health check")
                    .register(registry));
        }
        if (watcher != null) {
            out.add(Gauge.builder("tollgate.discovery.snapshot.age", pool,
                            p -> p.snapshot().age(clock.instant()).toMillis() / 1000.0)
                    .tag("service", service).baseUnit("seconds").description("time since Consul confirmed the snapshot")
                    .register(registry));
            out.add(Gauge.builder("tollgate.discovery.snapshot.stale", pool, p -> p.snapshot().stale() ? 1 : 0)
                    .tag("service", service).description("1 while Consul cannot be reached").register(registry));
            out.add(FunctionCounter.builder("tollgate.discovery.watcher.errors", watcher, ConsulWatcher::errors)
                    .tag("service", service).description("failed Consul queries").register(registry));
        }
        return out;
    }

    @Override
    ServicePool pool(String service) {
        return pools.get(service);
    }

    /** The pools as started, by service name (for {@link ServiceView}). */
    Map<String, ServicePool> pools() {
        return pools;
    }

    Map<String, ServiceConfig> configs() {
        return configs;
    }

    /** Saves every consul service's snapshot (its newest pool's) to the snapshot file, if one is configured. */
    private void save() {
        SnapshotFile file = this.file;
        if (file == null) {
            return;
        }
        Map<String, SnapshotFile.Entry> entries = new TreeMap<>();
        newest.forEach((name, w) -> {
            InstanceSnapshot s = w.pool().snapshot();
            if (!s.instances().isEmpty() || !s.stale()) {
                entries.put(name, new SnapshotFile.Entry(w.query(), s));
            }
        });
        synchronized (file) {
            try {
                file.write(entries);
            } catch (IOException | RuntimeException e) {
                LOG.warn("discovery: cannot write the snapshot file {}: {}", file.path(), e.toString());
            }
        }
    }

    /**
     * Stops the health checks and the watchers, then closes the watchers' client (which aborts blocking queries
     * in flight).
     */
    @Override
    public void close() {
        probes.close();
        List<ConsulWatcher> running = List.copyOf(watchers.values());
        running.forEach(ConsulWatcher::stop);
        synchronized (this) {
            if (client != null) {
                client.close();
            }
            retired.forEach(ConsulClient::close);
            retired.clear();
        }
        for (ConsulWatcher w : running) {
            try {
                w.join(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    /** A pool and the meters that show it. */
    private record Exposed(ServicePool pool, List<Meter> meters) {
    }
}
