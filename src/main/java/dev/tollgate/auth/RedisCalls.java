package dev.tollgate.auth;

import dev.tollgate.redis.Redis;
import dev.tollgate.redis.RedisUnavailableException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * The token cache's calls to the shared {@link Redis}, bounded by a short timeout (default 50 ms, well under
 * Redis's own socket timeout) so that a slow Redis never holds a request: the call runs on a small pool and
 * the request stops waiting when the time is up. After a timeout or a failure, Redis is skipped for the
 * retry interval (backing off instead of paying the timeout on every request), then tried again; the change
 * of state is logged once each way. Writes that the request does not need to wait for are fire-and-forget.
 * Thread-safe; {@link #close()} stops the pool.
 */
final class RedisCalls implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisCalls.class);

    /** Redis was not asked or did not answer in time; the caller falls back to level 1 and verification. */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable() {
            super("Redis unavailable for the token cache", null, false, false);
        }
    }

    private final Redis redis;
    private final long timeoutNanos;
    private final long backoffNanos;
    private final LongSupplier nanoTime;
    private final ThreadPoolExecutor pool;
    private final LongAdder fallbacks = new LongAdder();
    private volatile boolean degraded;
    private volatile long retryAt;

    RedisCalls(Redis redis, Duration timeout, Duration backoff, int threads, LongSupplier nanoTime) {
        this.redis = redis;
        this.timeoutNanos = timeout.toNanos();
        this.backoffNanos = backoff.toNanos();
        this.nanoTime = nanoTime;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(threads * 8), r -> {
                    Thread t = new Thread(r, "tollgate-auth-redis-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
    }

    /** Runs one operation within the timeout, unless Redis is being skipped. */
    <T> T call(Function<UnifiedJedis, T> operation) throws Unavailable {
        if (degraded && nanoTime.getAsLong() - retryAt < 0) {
            fallbacks.increment();
            throw new Unavailable();
        }
        Future<T> f;
        try {
            f = pool.submit(() -> redis.call(operation));
        } catch (RejectedExecutionException e) {
            fallbacks.increment();
            throw new Unavailable();
        }
        try {
            T result = f.get(timeoutNanos, TimeUnit.NANOSECONDS);
            if (degraded) {
                recovered();
            }
            return result;
        } catch (TimeoutException e) {
            f.cancel(true);
            failed("no answer within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
        } catch (ExecutionException e) {
            failed(e.getCause() instanceof RedisUnavailableException ? e.getCause().getMessage() : e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fallbacks.increment();
        throw new Unavailable();
    }

    /** Queues a write nobody waits for; dropped while Redis is skipped or the queue is full. */
    void send(Function<UnifiedJedis, ?> operation) {
        if (degraded && nanoTime.getAsLong() - retryAt < 0) {
            return;
        }
        try {
            pool.execute(() -> {
                try {
                    redis.call(operation);
                } catch (RedisUnavailableException e) {
                    failed(e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            // the cache entry is an optimisation; the next instance verifies the token itself
        }
    }

    /** A management call (clear, revoke): Redis's own timeout applies, no back-off. */
    <T> T direct(Function<UnifiedJedis, T> operation) throws Unavailable {
        try {
            return redis.call(operation);
        } catch (RedisUnavailableException e) {
            throw new Unavailable();
        }
    }

    private synchronized void failed(String why) {
        retryAt = nanoTime.getAsLong() + backoffNanos;
        if (!degraded) {
            degraded = true;
            LOG.warn("token-cache: Redis level 2 and shared revocations unavailable ({}); using level 1 and "
                    + "direct verification, retrying every {} ms", why, TimeUnit.NANOSECONDS.toMillis(backoffNanos));
        }
    }

    private synchronized void recovered() {
        if (degraded) {
            degraded = false;
            LOG.warn("token-cache: Redis answers again; level 2 and shared revocations resumed");
        }
    }

    boolean isDegraded() {
        return degraded;
    }

    /** Requests that went on without Redis. */
    long fallbacks() {
        return fallbacks.sum();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
