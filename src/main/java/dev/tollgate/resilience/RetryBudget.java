package dev.tollgate.resilience;

import java.time.Clock;
import java.time.Duration;

/**
 * Keeps retries a bounded share of the traffic to one service (the idea of Envoy's and Linkerd's retry budgets):
 * over a sliding window, a retry is allowed while the retries in the window stay below
 * {@code max(minRetries, ratio × requests)}. The window is ten buckets; time comes from the injected clock.
 * Thread-safe (one short lock per call).
 */
public final class RetryBudget {
    private static final int BUCKETS = 10;

    private final double ratio;
    private final int minRetries;
    private final long bucketMillis;
    private final Clock clock;
    private final long[] requests = new long[BUCKETS];
    private final long[] retries = new long[BUCKETS];
    private long currentBucket;

    public RetryBudget(double ratio, int minRetries, Duration window, Clock clock) {
        this.ratio = ratio;
        this.minRetries = minRetries;
        this.bucketMillis = Math.max(1, window.toMillis() / BUCKETS);
        this.clock = clock;
        this.currentBucket = clock.millis() / bucketMillis;
    }

    /** Counts one request (its first attempt). */
    public synchronized void recordRequest() {
        requests[advance()]++;
    }

    /** Takes one retry from the budget; false when the budget is spent. */
    public synchronized boolean tryAcquireRetry() {
        int i = advance();
        long req = 0;
        long ret = 0;
        for (int b = 0; b < BUCKETS; b++) {
            req += requests[b];
            ret += retries[b];
        }
        if (ret >= Math.max(minRetries, (long) Math.floor(ratio * req))) {
            return false;
        }
        retries[i]++;
        return true;
    }

    /** Moves the window to now, clearing the buckets that fell out of it; returns the current bucket. */
    private int advance() {
        long now = clock.millis() / bucketMillis;
        if (now > currentBucket) {
            long stale = Math.min(now - currentBucket, BUCKETS);
            for (long b = 1; b <= stale; b++) {
                int i = (int) Math.floorMod(currentBucket + b, (long) BUCKETS);
                requests[i] = 0;
                retries[i] = 0;
            }
            currentBucket = now;
        }
        return (int) Math.floorMod(currentBucket, (long) BUCKETS);
    }
}
