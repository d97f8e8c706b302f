package dev.tollgate.observability;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.apache.hc.core5.pool.PoolStats;

/**
 * The gateway's Micrometer registry, exposed over JMX in the domain {@code tollgate}, and the meters every
 * request updates: a timer per route and per upstream service, tagged with the status class, and on a split
 * route one per route and service. Later concerns add their meters to {@link #registry()}. The same meters are scraped in the Prometheus text format
 * ({@link #scrape}). Per route and service, a latency timer over all status classes (kept out of the exported
 * registry) gives the percentiles the Route and Service MXBeans show. Thread-safe; closed at shutdown
 * (unregisters the MBeans).
 */
public final class GatewayMetrics implements AutoCloseable {
    public static final String ROUTE_REQUESTS = "tollgate.route.requests";
    public static final String SERVICE_REQUESTS = "tollgate.service.requests";
    /** Requests of a split route per service that served them. */
    public static final String SPLIT_REQUESTS = "tollgate.route.split.requests";
    private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
    private final JmxMeterRegistry jmx;
    private final ConcurrentHashMap<String, Timer[]> routeTimers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer[]> serviceTimers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Timer[]>> splitTimers = new ConcurrentHashMap<>();
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Latency over all status classes, for the MXBeans only: percentiles of different timers cannot be merged. */
    private final SimpleMeterRegistry latency = new SimpleMeterRegistry();
    private final ConcurrentHashMap<String, Timer> routeLatency = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> serviceLatency = new ConcurrentHashMap<>();

    public GatewayMetrics(boolean exposeOverJmx) {
        if (exposeOverJmx) {
            jmx = new JmxMeterRegistry(new JmxConfig() {
                @Override
                public String get(String key) {
                    return null;
                }

                @Override
                public String domain() {
                    return "tollgate";
                }
            }, Clock.SYSTEM);
            registry.add(jmx);
        } else {
            // a composite without children records nothing; keep the meters readable in process
            jmx = null;
            registry.add(new SimpleMeterRegistry());
        }
        registry.add(prometheus);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Records one finished request. {@code route} or {@code service} may be null (no route, gateway answer). */
    public void record(String route, String service, int status, long nanos) {
        int cls = Math.min(Math.max(status / 100, 1), 5) - 1;
        if (route != null) {
            timers(routeTimers, ROUTE_REQUESTS, "route", route)[cls].record(nanos, TimeUnit.NANOSECONDS);
            latency(routeLatency, route).record(nanos, TimeUnit.NANOSECONDS);
        }
        if (service != null) {
            timers(serviceTimers, SERVICE_REQUESTS, "service", service)[cls].record(nanos, TimeUnit.NANOSECONDS);
            latency(serviceLatency, service).record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Records one finished request of a split route under the service its split chose. */
    public void recordShare(String route, String service, int status, long nanos) {
        int cls = Math.min(Math.max(status / 100, 1), 5) - 1;
        ConcurrentHashMap<String, Timer[]> byService = splitTimers.computeIfAbsent(route, r -> new ConcurrentHashMap<>());
        Timer[] t = byService.get(service);
        if (t == null) {
            t = byService.computeIfAbsent(service, v -> {
                Timer[] out = new Timer[CLASSES.length];
                for (int i = 0; i < CLASSES.length; i++) {
                    out[i] = Timer.builder(SPLIT_REQUESTS).tag("route", route).tag("service", v)
                            .tag("status", CLASSES[i]).register(registry);
                }
                return out;
            });
        }
        t[cls].record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer latency(ConcurrentHashMap<String, Timer> cache, String name) {
        Timer t = cache.get(name);
        if (t == null) {
            t = cache.computeIfAbsent(name, n -> Timer.builder("latency").tag("name", n)
                    .tag("kind", cache == routeLatency ? "route" : "service")
                    .publishPercentiles(0.5, 0.95, 0.99).register(latency));
        }
        return t;
    }

    /** The traffic of one route so far (zeros before its first request). */
    public Traffic routeTraffic(String route) {
        return traffic(routeTimers.get(route), routeLatency.get(route));
    }

    /** The traffic of one upstream service so far (zeros before its first request). */
    public Traffic serviceTraffic(String service) {
        return traffic(serviceTimers.get(service), serviceLatency.get(service));
    }

    private static Traffic traffic(Timer[] timers, Timer all) {
        long[] counts = new long[CLASSES.length];
        double totalMillis = 0;
        double maxMillis = 0;
        if (timers != null) {
            for (int i = 0; i < timers.length; i++) {
                counts[i] = timers[i].count();
                totalMillis += timers[i].totalTime(TimeUnit.MILLISECONDS);
                maxMillis = Math.max(maxMillis, timers[i].max(TimeUnit.MILLISECONDS));
            }
        }
        double[] percentiles = new double[3];
        if (all != null) {
            ValueAtPercentile[] values = all.takeSnapshot().percentileValues();
            for (int i = 0; i < values.length && i < percentiles.length; i++) {
                percentiles[i] = values[i].value(TimeUnit.MILLISECONDS);
            }
        }
        return new Traffic(counts, totalMillis, maxMillis, percentiles[0], percentiles[1], percentiles[2]);
    }

    /** Writes every meter in the Prometheus text exposition format (version 0.0.4). */
    public void scrape(OutputStream out) throws IOException {
        prometheus.scrape(out);
    }

    private Timer[] timers(ConcurrentHashMap<String, Timer[]> cache, String name, String tag, String value) {
        Timer[] t = cache.get(value);
        if (t == null) {
            t = cache.computeIfAbsent(value, v -> {
                Timer[] out = new Timer[CLASSES.length];
                for (int i = 0; i < CLASSES.length; i++) {
                    out[i] = Timer.builder(name).tag(tag, v).tag("status", CLASSES[i]).register(registry);
                }
                return out;
            });
        }
        return t;
    }

    /** Gauges of the upstream connection pool: leased, available, pending, and its maximum now. */
    public void bindPool(Supplier<PoolStats> stats) {
        gauge("tollgate.http.pool.leased", stats, s -> s.get().getLeased());
        gauge("tollgate.http.pool.available", stats, s -> s.get().getAvailable());
        gauge("tollgate.http.pool.pending", stats, s -> s.get().getPending());
        gauge("tollgate.http.pool.max", stats, s -> s.get().getMax());
    }

    /** Redis health: 1 while available, 0 while treated as down; and the count of failed calls. */
    public void bindRedis(BooleanSupplier available, LongSupplier failures) {
        Gauge.builder("tollgate.redis.available", available, a -> a.getAsBoolean() ? 1 : 0)
                .strongReference(true).register(registry);
        FunctionCounter.builder("tollgate.redis.failures", failures, LongSupplier::getAsLong)
                .register(registry);
    }

    /** The open WebSocket tunnels, and a count of those opened. */
    public void bindTunnels(IntSupplier open, LongSupplier opened) {
        Gauge.builder("tollgate.websocket.tunnels", open, IntSupplier::getAsInt).strongReference(true)
                .register(registry);
        FunctionCounter.builder("tollgate.websocket.tunnels.opened", opened, LongSupplier::getAsLong)
                .register(registry);
    }

    private void gauge(String name, Supplier<PoolStats> stats, ToDoubleFunction<Supplier<PoolStats>> f) {
        // Micrometer holds a gauge's state weakly by default; the supplier is a lambda nothing else keeps
        Gauge.builder(name, stats, f).strongReference(true).register(registry);
    }

    @Override
    public void close() {
        registry.close();
        latency.close();
        if (jmx != null) {
            jmx.close();
        }
    }
}
