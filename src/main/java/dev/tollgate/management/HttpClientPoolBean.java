package dev.tollgate.management;

import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.hc.core5.pool.PoolStats;

/** {@link HttpClientPoolMXBean} over the upstream client's pool statistics and its limits now. Thread-safe. */
final class HttpClientPoolBean implements HttpClientPoolMXBean {
    private final Supplier<PoolStats> stats;
    private final IntSupplier maxPerRoute;

    HttpClientPoolBean(Supplier<PoolStats> stats, IntSupplier maxPerRoute) {
        this.stats = stats;
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
        return stats.get().getMax();
    }

    @Override
    public int getMaxPerRoute() {
        return maxPerRoute.getAsInt();
    }
}
