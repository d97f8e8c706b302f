package dev.tollgate.resilience;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.config.StaleCacheConfig;
import dev.tollgate.http.HeaderNames;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The last-good-response cache (stale-if-error, RFC 5861): one response per request key, bounded by entries
 * and by bytes, each kept at most {@code max-stale}. Responses are only offered here when they passed
 * {@link Cacheability}; a lookup honours the {@code Vary} of the kept response. Time comes from the injected
 * clock. Thread-safe.
 */
public final class StaleCache {
    private final StaleCacheConfig config;
    private final Clock clock;
    private final Cache<String, CachedResponse> cache;
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong served = new AtomicLong();

    public StaleCache(StaleCacheConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        // Caffeine bounds either weight or count: weighing each entry at least maxBytes/maxEntries bounds both
        long quota = config.maxEntries() == 0 ? config.maxBytes() : Math.max(1,
                config.maxBytes() / config.maxEntries());
        this.cache = Caffeine.newBuilder()
                .maximumWeight(config.maxEntries() == 0 ? 0 : config.maxBytes())
                .<String, CachedResponse>weigher((k, v) -> (int) Math.min(Integer.MAX_VALUE,
                        Math.max(quota, v.weight() + k.length())))
                .expireAfterWrite(config.maxStale().toNanos(), TimeUnit.NANOSECONDS)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .executor(Runnable::run)
                .build();
    }

    /** A bounded copy for a response of this declared length (-1: unknown), or null when it cannot be kept. */
    public ResponseCapture capture(long contentLength) {
        if (config.maxEntries() == 0 || contentLength > config.maxEntrySize()) {
            return null;
        }
        return new ResponseCapture(config.maxEntrySize(), contentLength);
    }

    /** Keeps a complete response; a capture that overflowed is dropped. */
    public void put(String key, int status, List<String[]> headers, ResponseCapture body,
                    Function<String, List<String>> request) {
        if (body.overflowed()) {
            return;
        }
        List<String> vary = new ArrayList<>();
        long age = 0;
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase("Vary")) {
                vary.addAll(Cacheability.varyNames(List.of(h[1])));
            } else if (h[0].equalsIgnoreCase(HeaderNames.AGE)) {
                age = parseAge(h[1]);
            }
        }
        cache.put(key, new CachedResponse(status, headers, body.bytes(), clock.millis(), age, vary,
                values(vary, request)));
        stored.incrementAndGet();
    }

    /** The kept response for this key that matches the request's varying headers, or null; counts a hit. */
    public CachedResponse get(String key, Function<String, List<String>> request) {
        CachedResponse r = cache.getIfPresent(key);
        if (r == null || !r.varyValues().equals(values(r.vary(), request))) {
            return null;
        }
        served.incrementAndGet();
        return r;
    }

    /** Gauges and counters: entries kept, responses stored, stale answers served. */
    public void bind(MeterRegistry registry) {
        Gauge.builder("tollgate.stale.cache.entries", this, StaleCache::size).strongReference(true).register(registry);
        FunctionCounter.builder("tollgate.stale.cache.stored", stored, AtomicLong::get).register(registry);
        FunctionCounter.builder("tollgate.stale.cache.served", served, AtomicLong::get).register(registry);
    }

    public long now() {
        return clock.millis();
    }

    /** Entries currently kept. */
    public long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    private static List<String> values(List<String> names, Function<String, List<String>> request) {
        List<String> out = new ArrayList<>(names.size());
        for (String n : names) {
            out.add(String.join(",", request.apply(n)).trim().toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private static long parseAge(String v) {
        try {
            return Math.max(0, Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
