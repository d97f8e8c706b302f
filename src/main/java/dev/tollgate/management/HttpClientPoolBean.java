package dev.tollgate.management;

import java.util.function.Supplier;
import org.apache.hc.core5.pool.PoolStats;

/** {@link HttpClientPoolMXBean} over the upstream client's pool statistics. Thread-safe. */
final class HttpClientPoolBean implements HttpClientPoolMXBean {
    private final Supplier<PoolStats> stats;
    private final int max;
    private final int maxPerRoute;

    HttpClientPoolBean(Supplier<PoolStats> stats, int max, int maxPerRoute) {
        this.stats = stats;
        this.max = max;
        this.maxPerRoute = maxPerRoute;
    }

    @Override
    public int getLeased() {
        return stats.get().getLeased();
    }

    @Override
    public int getAvailable() {
        return stats.get().getAvailable();
    }

    @Override
    public int getPending() {
        return stats.get().getPending();
    }

    @Override
    public int getMax() {
        return max;
    }

    @Override
    public int getMaxPerRoute() {
        return maxPerRoute;
    }
}
