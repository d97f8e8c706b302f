package dev.tollgate.management;

import dev.tollgate.Gateway;
import dev.tollgate.config.ConfigChanges;
import dev.tollgate.config.ConfigException;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.discovery.InstanceSnapshot;
import dev.tollgate.observability.ManagementBeans;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's own MXBeans: {@code tollgate:type=Gateway} with the configuration reload,
 * {@code tollgate:type=Route,name=<route>}, {@code tollgate:type=Service,name=<service>} and
 * {@code tollgate:type=HttpClientPool}. Registered through {@link Gateway#management()}, so they go when the
 * gateway closes; route MXBeans follow the routes across reloads. Thread-safe.
 */
public final class ManagementPlane implements GatewayMXBean {
    private static final Logger LOG = LoggerFactory.getLogger(ManagementPlane.class);
    /** Counter of reloads by {@code result}: {@code ok}, {@code invalid} or {@code failed}. */
    public static final String RELOADS = "tollgate.config.reloads";
    /** Counter of the problems found in refused configurations. */
    public static final String PROBLEMS = "tollgate.config.reload.problems";
    /** Gauge of the changed keys that wait for a restart. */
    public static final String PENDING = "tollgate.config.restart.pending";

    private final Gateway gateway;
    private final ConfigSource source;
    private final Clock clock;
    private final Set<String> routeBeans = new HashSet<>();
    private final Set<String> serviceBeans = new HashSet<>();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile String lastReload = "never";
    /** The running file watch, or null; started and stopped by {@link #watch(boolean)}. */
    private ConfigWatch watch;

    private ManagementPlane(Gateway gateway, ConfigSource source, Clock clock) {
        this.gateway = gateway;
        this.source = source;
        this.clock = clock;
    }

    /** Registers the MXBeans of a freshly built gateway. */
    public static ManagementPlane start(Gateway gateway, ConfigSource source, Clock clock) {
        ManagementPlane plane = new ManagementPlane(gateway, source, clock);
        ManagementBeans beans = gateway.management();
        beans.register(ManagementBeans.name("Gateway", null), plane);
        beans.register(ManagementBeans.name("HttpClientPool", null), new HttpClientPoolBean(
                gateway.client()::poolStats, gateway.client()::maxConnectionsPerRoute));
        plane.registerServices(gateway.config());
        plane.registerRoutes(gateway.config());
        plane.counter("ok");
        plane.counter("invalid");
        plane.counter("failed");
        plane.problems();
        Gauge.builder(PENDING, plane.pending, AtomicInteger::get).strongReference(true)
                .description("changed configuration keys that wait for a restart")
                .register(gateway.metrics().registry());
        return plane;
    }

    /** The Service MXBeans of the configuration: added, replaced (new settings) and removed with it. */
    private void registerServices(GatewayConfig config) {
        Map<String, Object> beans = new LinkedHashMap<>();
        config.upstreams().services().values().forEach(s -> beans.put(s.name(),
                new ServiceBean(s, gateway.metrics(), () -> instanceCount(gateway, s.name()))));
        follow("Service", serviceBeans, beans);
    }

    private static int instanceCount(Gateway gateway, String service) {
        InstanceSnapshot snapshot = gateway.runtime().services().snapshot(service);
        return snapshot == null ? 0 : snapshot.instances().size();
    }

    /** The Route MXBeans of the configuration: added, replaced and removed with it. */
    private void registerRoutes(GatewayConfig config) {
        Map<String, Object> beans = new LinkedHashMap<>();
        config.routes().forEach(r -> beans.put(r.name(), new RouteBean(r, gateway.metrics())));
        follow("Route", routeBeans, beans);
    }

    /**
     * Registers the MXBean of each name under {@code type} (replacing one of the same name), and unregisters
     * those of the names in {@code registered} that {@code beans} no longer has; {@code registered} becomes the
     * names of {@code beans}.
     */
    private synchronized void follow(String type, Set<String> registered, Map<String, Object> beans) {
        ManagementBeans management = gateway.management();
        beans.forEach((name, bean) -> management.register(ManagementBeans.name(type, name), bean));
        for (String gone : registered) {
            if (!beans.containsKey(gone)) {
                management.unregister(ManagementBeans.name(type, gone));
            }
        }
        registered.clear();
        registered.addAll(beans.keySet());
    }

    @Override
    public String reloadConfig() {
        return ManagementBeans.audited("reloadConfig", source.description(), this::reload);
    }

    /**
     * Loads, validates and applies the configuration.
     *
     * @throws IllegalArgumentException with every problem, one per line; nothing changes
     */
    public synchronized String reload() {
        Instant at = clock.instant();
        try {
            GatewayConfig next = source.loader().get();
            ConfigChanges.Diff diff = gateway.reload(next);
            registerServices(next);
            registerRoutes(next);
            watch(next.operations().watchConfig());
            String result = ReloadReport.text(diff, next.routes().size());
            lastReload = at + " applied: " + result;
            counter("ok").increment();
            pending.set(diff.restart().size());
            LOG.info("config reload: applied from {}: {}", source.description(), result);
            diff.restart().forEach(line -> LOG.warn("config reload: {}", line));
            return "applied: " + result;
        } catch (ConfigException e) {
            lastReload = at + " refused: " + e.problems().size() + " problem(s)";
            counter("invalid").increment();
            problems().increment(e.problems().size());
            LOG.info("config reload: refused, running configuration kept: {} problem(s) in {}", e.problems().size(),
                    source.description());
            e.problems().forEach(p -> LOG.warn("config reload: {}", p));
            // a JDK exception type: a remote JMX client can always deserialize it
            throw new IllegalArgumentException("configuration not reloaded; the running one is kept. "
                    + e.getMessage(), null);
        } catch (RuntimeException e) {
            // valid, but building its runtime failed (what it had started is stopped again)
            lastReload = at + " failed: " + e;
            counter("failed").increment();
            LOG.error("config reload: failed, running configuration kept: {}", e.toString());
            throw new IllegalStateException("configuration not reloaded; the running one is kept: " + e, null);
        }
    }

    /**
     * Follows the configuration file ({@code gateway.config.watch}), or stops following it: at start-up, and after
     * each reload with the reloaded value. A reload the watch itself ran may stop it.
     */
    public synchronized void watch(boolean on) {
        if (on && watch == null) {
            if (source.file() == null) {
                LOG.warn("gateway.config.watch = true, but there is no external file to watch ({})",
                        source.description());
            } else {
                watch = ConfigWatch.start(source.file(), this);
            }
        } else if (!on && watch != null) {
            watch.close();
            watch = null;
            LOG.info("config watch: stopped following {} (gateway.config.watch = false)", source.file());
        }
    }

    private Counter problems() {
        return Counter.builder(PROBLEMS).description("problems found in refused configurations")
                .register(gateway.metrics().registry());
    }

    private Counter counter(String result) {
        return Counter.builder(RELOADS).tag("result", result).description("configuration reloads")
                .register(gateway.metrics().registry());
    }

    public String configSource() {
        return source.description();
    }

    @Override
    public int getRouteCount() {
        return gateway.config().routes().size();
    }

    @Override
    public int getServiceCount() {
        return gateway.config().upstreams().services().size();
    }

    @Override
    public int getInFlight() {
        return gateway.drainGate().inFlight();
    }

    @Override
    public boolean isDraining() {
        return gateway.drainGate().isDraining();
    }

    @Override
    public int getOpenTunnels() {
        return gateway.proxy().webSockets().tunnels().open();
    }

    @Override
    public String getConfigSource() {
        return source.description();
    }

    @Override
    public String getLastReload() {
        return lastReload;
    }
}
