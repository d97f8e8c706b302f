package dev.tollgate.discovery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleSupplier;

/**
 * The blocking-query loop's state, following Consul's "Blocking Queries" implementation details
 * (developer.hashicorp.com/consul/api-docs/features/blocking): the next query carries the last
 * {@code X-Consul-Index}; an index that goes backwards resets the loop to 0 (a fresh, non-blocking read); an
 * index below 1 is replaced by 1 so that the next query blocks instead of spinning; after errors the loop pauses
 * with jittered exponential backoff, and the query after an error is a full read. On top of that, a full
 * (non-blocking) re-read happens at least every {@code fullReadInterval}, as a safety net for missed changes.
 * Pure and not thread-safe: owned by one watcher.
 */
final class BlockingQuery {
    private final Duration wait;
    private final Duration fullReadInterval;
    private final Duration retryMin;
    private final Duration retryMax;
    private final Clock clock;
    private final DoubleSupplier random;

    private long index;
    private int failures;
    private Instant nextFullRead;

    /**
     * @param random uniform numbers in [0, 1) for the backoff's jitter
     */
    BlockingQuery(Duration wait, Duration fullReadInterval, Duration retryMin, Duration retryMax, Clock clock,
                  DoubleSupplier random) {
        this.wait = wait;
        this.fullReadInterval = fullReadInterval;
        this.retryMin = retryMin;
        this.retryMax = retryMax;
        this.clock = clock;
        this.random = random;
        this.nextFullRead = clock.instant();
    }

    /** The index to send: 0 (answer at once) on the first query, after a reset, and when a full re-read is due. */
    long index() {
        return isFullReadDue() ? 0 : index;
    }

    /** How long the next blocking query may be held: the configured wait, cut short by a due full re-read. */
    Duration waitTime() {
        Duration untilFull = Duration.between(clock.instant(), nextFullRead);
        return untilFull.compareTo(wait) < 0 ? untilFull : wait;
    }

    /** Forces the next query to be a full re-read. */
    void requestFullRead() {
        nextFullRead = clock.instant();
    }

    /** Records an answer carrying {@code returned} as its {@code X-Consul-Index}, to a query sent with {@code sent}. */
    void succeeded(long sent, long returned) {
        failures = 0;
        if (sent == 0) {
            nextFullRead = clock.instant().plus(fullReadInterval);
        }
        if (sent > 0 && returned < sent) {
            index = 0; // the index went backwards (e.g. a Consul snapshot restore): start over
            nextFullRead = clock.instant();
        } else if (returned < 1) {
            index = 1; // a broken index would make every query return at once
        } else {
            index = returned;
        }
    }

    /**
     * Records a failed query and returns how long to pause before the next: {@code retryMin × 2^(n-1)} for the
     * n-th failure in a row, capped at {@code retryMax}, then scaled by a random factor in [0.5, 1) so that
     * gateways restarted together do not query in step.
     */
    Duration failed() {
        failures++;
        // the first query after an outage answers at once: a blocking one on the old index would keep the
        // snapshot marked stale for up to a whole wait although Consul is back
        nextFullRead = clock.instant();
        long min = retryMin.toMillis();
        long max = retryMax.toMillis();
        int shift = Math.min(failures - 1, 30);
        long backoff = min > (max >> shift) ? max : Math.min(max, min << shift);
        return Duration.ofMillis((long) (backoff * (0.5 + random.getAsDouble() / 2)));
    }

    int failures() {
        return failures;
    }

    private boolean isFullReadDue() {
        return index == 0 || !clock.instant().isBefore(nextFullRead);
    }
}
