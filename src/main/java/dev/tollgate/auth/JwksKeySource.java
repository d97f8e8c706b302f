package dev.tollgate.auth;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys of one JWKS endpoint, held in memory and refreshed in the background. An unknown {@code kid} causes
 * a refetch that is single-flight (concurrent callers wait for the one fetch in progress) and rate-limited (at
 * most one per minimum interval, so a flood of made-up kids costs one fetch). A failed fetch keeps the keys
 * already known (stale keys beat no keys while the endpoint is down). Thread-safe; {@link #close()} stops the
 * background refresh.
 */
final class JwksKeySource implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JwksKeySource.class);

    /** Fetches the JWKS document. */
    interface Fetcher {
        byte[] fetch() throws IOException;
    }

    private final String where;
    private final Fetcher fetcher;
    private final JwtChecks checks;
    private final Duration minRefetch;
    private final Clock clock;
    private final AtomicReference<Map<String, VerificationKey>> keys = new AtomicReference<>(Map.of());
    private final ReentrantLock fetching = new ReentrantLock();
    private final LongAdder fetches = new LongAdder();
    private volatile Instant lastUnknownFetch = Instant.MIN;
    private volatile boolean failing;
    private ScheduledExecutorService scheduler;

    JwksKeySource(String where, Fetcher fetcher, JwtChecks checks, Duration minRefetch, Clock clock) {
        this.where = where;
        this.fetcher = fetcher;
        this.checks = checks;
        this.minRefetch = minRefetch;
        this.clock = clock;
    }

    /** Fetches now, then every {@code interval} on a daemon thread. */
    void startRefreshing(Duration interval) {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tollgate-jwks-refresh");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::refresh, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The key with this id ({@code null}: the only key, if there is exactly one), refetching once if unknown. */
    VerificationKey find(String kid) {
        VerificationKey k = lookup(kid);
        if (k != null) {
            return k;
        }
        fetching.lock();
        try {
            k = lookup(kid); // fetched by the caller we waited for
            if (k != null) {
                return k;
            }
            Instant now = clock.instant();
            if (now.isBefore(lastUnknownFetch.plus(minRefetch))) {
                return null;
            }
            lastUnknownFetch = now;
            refreshLocked();
            return lookup(kid);
        } finally {
            fetching.unlock();
        }
    }

    private VerificationKey lookup(String kid) {
        Map<String, VerificationKey> current = keys.get();
        if (kid == null) {
            return current.size() == 1 ? current.values().iterator().next() : null;
        }
        return current.get(kid);
    }

    /** Fetches the document now; on failure the keys known so far stay. */
    void refresh() {
        fetching.lock();
        try {
            refreshLocked();
        } finally {
            fetching.unlock();
        }
    }

    private void refreshLocked() {
        fetches.increment();
        try {
            Map<String, VerificationKey> fresh = Jwks.parse(fetcher.fetch(), checks);
            Map<String, VerificationKey> old = keys.getAndSet(Map.copyOf(fresh));
            if (failing || !old.keySet().equals(fresh.keySet())) {
                LOG.info("jwks={} loaded {} keys {}", where, fresh.size(), fresh.keySet());
            }
            failing = false;
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                LOG.warn("jwks={} cannot be fetched ({}); keeping the {} keys already known", where, e.toString(),
                        keys.get().size());
                failing = true;
            }
        }
    }

    /** How many fetches were made. */
    long fetches() {
        return fetches.sum();
    }

    /** The key set in use; a new map (by identity) after every refresh that loaded one. */
    Map<String, VerificationKey> keys() {
        return keys.get();
    }

    int size() {
        return keys.get().size();
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
