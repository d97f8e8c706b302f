package dev.tollgate.redis;

import dev.tollgate.config.RedisConfig;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A client of the gateway's Redis (a Jedis connection pool): the shared one, or a request-path caller's own
 * with a shorter timeout ({@link #open(RedisConfig, Duration, String)}). Each has fast failure: after a failed call Redis is
 * treated as down for the configured retry interval, so that a dead Redis costs each request nothing (no
 * connect attempt, no timeout) until the next probe. The change of state is logged once each way and
 * counted. Keys live under the {@code tollgate:} namespace. Thread-safe; closed once at shutdown.
 */
public final class Redis implements AutoCloseable {
    /** Every key the gateway writes starts with this. */
    public static final String NAMESPACE = "tollgate:";
    private static final Logger LOG = LoggerFactory.getLogger(Redis.class);

    private final UnifiedJedis jedis;
    private final String where;
    private final long retryNanos;
    private final LongSupplier nanoTime;
    private volatile long downSince = Long.MIN_VALUE;
    private volatile long retryAt;
    private volatile boolean down;
    private final LongAdder failures = new LongAdder();
    private final LongAdder busy = new LongAdder();

    /**
     * @param jedis the client (a pooled or cluster client), owned from now on
     * @param where a description for the logs, without credentials
     * @param config the timeouts and retry interval
     * @param nanoTime the clock ({@code System::nanoTime} outside tests)
     */
    public Redis(UnifiedJedis jedis, String where, RedisConfig config, LongSupplier nanoTime) {
        this.jedis = jedis;
        this.where = where;
        this.retryNanos = config.retryInterval().toNanos();
        this.nanoTime = nanoTime;
    }

    /** Opens a pooled client to the configured server (connections are made lazily, on first use). */
    public static Redis open(RedisConfig config) {
        return open(config, config.timeout(), "");
    }

    /**
     * Opens a second pooled client to the configured server with its own, shorter timeout and its own fast
     * failure state: for a caller on the request path that must give up on Redis sooner than the shared client.
     *
     * @param timeout the connect, command and pool-wait timeout
     * @param purpose a label for the logs, such as {@code token-cache}
     */
    public static Redis open(RedisConfig config, Duration timeout, String purpose) {
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(config.poolSize());
        pool.setMaxIdle(config.poolSize());
        pool.setMaxWait(timeout);
        pool.setJmxEnabled(false);
        RedisClient jedis = RedisClient.builder().hostAndPort(hostAndPort(config))
                .clientConfig(clientConfig(config, timeout, timeout)).poolConfig(pool).build();
        String where = hostAndPort(config) + (purpose.isEmpty() ? "" : " (" + purpose + ")");
        return new Redis(jedis, where, config, System::nanoTime);
    }

    /**
     * One unpooled connection, for a subscription ({@code SUBSCRIBE} holds its connection). The caller sends
     * a {@code PING} more often than {@code readTimeout} so that a dead peer is noticed.
     */
    public static Jedis connect(RedisConfig config, Duration readTimeout) {
        return new Jedis(hostAndPort(config), clientConfig(config, config.timeout(), readTimeout));
    }

    private static HostAndPort hostAndPort(RedisConfig config) {
        URI uri = config.uri();
        return new HostAndPort(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 6379);
    }

    private static DefaultJedisClientConfig clientConfig(RedisConfig config, Duration connect, Duration read) {
        URI uri = config.uri();
        DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) connect.toMillis())
                .socketTimeoutMillis((int) read.toMillis())
                .ssl(uri.getScheme().equals("rediss"))
                .clientName("tollgate");
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            String user = colon < 0 ? "" : decode(userInfo.substring(0, colon));
            if (!user.isEmpty()) {
                client.user(user);
            }
            client.password(decode(colon < 0 ? userInfo : userInfo.substring(colon + 1)));
        }
        String path = uri.getPath();
        if (path != null && path.length() > 1) {
            client.database(Integer.parseInt(path.substring(1)));
        }
        return client.build();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /**
     * Runs one operation (a command, a script call or a pipeline) against Redis.
     *
     * @throws RedisUnavailableException at once while Redis is marked down, or when the call fails
     */
    public <T> T call(Function<UnifiedJedis, T> operation) throws RedisUnavailableException {
        if (down && nanoTime.getAsLong() - retryAt < 0) {
            throw new RedisUnavailableException("Redis at " + where + " is down", null);
        }
        try {
            T result = operation.apply(jedis);
            if (down) {
                recovered();
            }
            return result;
        } catch (JedisException e) {
            if (e.getCause() instanceof NoSuchElementException) {
                // every pooled connection is busy: this call gives up, but Redis is not down
                busy.increment();
                throw new RedisUnavailableException("Redis at " + where + ": no free connection", e);
            }
            failed(e);
            throw new RedisUnavailableException("Redis at " + where + " failed: " + e.getMessage(), e);
        }
    }

    private synchronized void failed(JedisException e) {
        failures.increment();
        long now = nanoTime.getAsLong();
        retryAt = now + retryNanos;
        if (!down) {
            down = true;
            downSince = now;
            LOG.warn("redis={} is unavailable ({}); policies fall back until it answers again", where,
                    e.getMessage());
        }
    }

    private synchronized void recovered() {
        if (down) {
            down = false;
            LOG.warn("redis={} is available again after {} ms", where, (nanoTime.getAsLong() - downSince) / 1_000_000);
        }
    }

    /** Whether this is a Redis Cluster client (a multi-key command or script must stay within one slot). */
    public boolean isCluster() {
        return jedis instanceof RedisClusterClient;
    }

    /** Whether the last call succeeded (or none failed yet). */
    public boolean isAvailable() {
        return !down;
    }

    /** How many calls failed since start-up. */
    public long failures() {
        return failures.sum();
    }

    /** How many calls gave up because every pooled connection was busy (Redis was not marked down for them). */
    public long poolExhausted() {
        return busy.sum();
    }

    @Override
    public void close() {
        jedis.close();
    }
}
