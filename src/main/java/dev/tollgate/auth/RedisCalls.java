package dev.tollgate.auth;

import dev.tollgate.config.RedisConfig;
import dev.tollgate.redis.Redis;
import dev.tollgate.redis.RedisUnavailableException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import redis.clients.jedis.UnifiedJedis;

/**
 * The token cache's calls to Redis. Reads on the request path run on the request's own thread, through a
 * client of their own whose connect, command and pool-wait timeouts are the short token-cache timeout
 * (default 50 ms), so that a slow Redis never holds a request and no thread hand-off is paid on a hit. After
 * a timeout or a failure that client skips Redis for the retry interval (backing off instead of paying the
 * timeout on every request), then tries again, logging the change once each way. Writes the request does not
 * wait for go to a small queue; management calls use the shared client and its longer timeout. Thread-safe;
 * {@link #close()} closes the token cache's client and stops the write queue.
 */
final class RedisCalls implements AutoCloseable {
    /** Redis was not asked or did not answer in time; the caller falls back to level 1 and verification. */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable() {
            super("Redis unavailable for the token cache", null, false, false);
        }
    }

    /** The token cache's own client; a reload of its timeout replaces it ({@link #retime}). */
    private volatile Redis fast;
    private volatile Duration timeout;
    private final Redis shared;
    private final ThreadPoolExecutor writes;
    private final LongAdder fallbacks = new LongAdder();

    /**
     * @param config the shared Redis's settings (address, credentials, pool size, retry interval)
     * @param timeout the token cache's own timeout
     * @param shared the shared client, for management calls
     */
    RedisCalls(RedisConfig config, Duration timeout, Redis shared) {
        this.fast = Redis.open(config, timeout, "token cache");
        this.timeout = timeout;
        this.shared = shared;
        this.writes = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(4096), r -> {
            Thread t = new Thread(r, "tollgate-auth-redis-writes");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        writes.allowCoreThreadTimeOut(true);
    }

    /**
     * A client with a reloaded timeout for the calls from now on.
     *
     * @return the client it replaces, for the caller to close once no request uses it; null when the timeout is
     *         the same
     */
    synchronized Redis retime(RedisConfig config, Duration next) {
        if (next.equals(timeout)) {
            return null;
        }
        Redis replaced = fast;
        fast = Redis.open(config, next, "token cache");
        timeout = next;
        return replaced;
    }

    /** Runs one operation on the calling thread within the short timeout, unless Redis is being skipped. */
    <T> T call(Function<UnifiedJedis, T> operation) throws Unavailable {
        try {
            return fast.call(operation);
        } catch (RedisUnavailableException e) {
            fallbacks.increment();
            throw new Unavailable();
        }
    }

    /** Queues a write nobody waits for; dropped while Redis is skipped or the queue is full. */
    void send(Function<UnifiedJedis, ?> operation) {
        if (!fast.isAvailable()) {
            return;
        }
        try {
            writes.execute(() -> {
                try {
                    fast.call(operation);
                } catch (RedisUnavailableException e) {
                    // logged once by the client; the next instance verifies the token itself
                }
            });
        } catch (RejectedExecutionException e) {
            // the cache entry is an optimisation; the next instance verifies the token itself
        }
    }

    /** A management call (clear, revoke, the revocation list's sync): the shared client's timeout applies. */
    <T> T direct(Function<UnifiedJedis, T> operation) throws Unavailable {
        try {
            return shared.call(operation);
        } catch (RedisUnavailableException e) {
            throw new Unavailable();
        }
    }

    boolean isDegraded() {
        return !fast.isAvailable();
    }

    /** Requests that went on without Redis. */
    long fallbacks() {
        return fallbacks.sum();
    }

    @Override
    public void close() {
        writes.shutdownNow();
        fast.close();
    }
}
