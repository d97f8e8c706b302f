package dev.tollgate.redis;

import dev.tollgate.config.RedisConfig;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.ScanIteration;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A client of the gateway's Redis: a Jedis connection pool to one server, or the Jedis cluster client (a pool per
 * node) for a Redis Cluster; the shared one, or a request-path caller's own with a shorter timeout
 * ({@link #open(RedisConfig, Duration, String)}). Each has fast failure: after a failed call Redis is treated as
 * down for the configured retry interval, so that a dead Redis costs each request nothing (no connect attempt,
 * no timeout) until the next probe. The change of state is logged once each way and counted. Keys live under
 * the {@code tollgate:} namespace. Connections are made on first use: a cluster client, which reads the slot
 * map when it is built, is built by the first call, and again by a later call while the cluster could not be
 * reached. Thread-safe; closed once at shutdown.
 */
public final class Redis implements AutoCloseable {
    /** Every key the gateway writes starts with this. */
    public static final String NAMESPACE = "tollgate:";
    private static final Logger LOG = LoggerFactory.getLogger(Redis.class);

    private final Supplier<UnifiedJedis> factory;
    private final boolean cluster;
    private final Object building = new Object();
    private volatile UnifiedJedis jedis;
    private volatile boolean closed;
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
        this(() -> jedis, jedis instanceof RedisClusterClient, where, config, nanoTime);
        this.jedis = jedis;
    }

    private Redis(Supplier<UnifiedJedis> factory, boolean cluster, String where, RedisConfig config,
                  LongSupplier nanoTime) {
        this.factory = factory;
        this.cluster = cluster;
        this.where = where;
        this.retryNanos = config.retryInterval().toNanos();
        this.nanoTime = nanoTime;
    }

    /** Opens a pooled client to the configured server or cluster (connections are made lazily, on first use). */
    public static Redis open(RedisConfig config) {
        return open(config, config.timeout(), "");
    }

    /**
     * Opens a second pooled client to the configured server or cluster with its own, shorter timeout and its own
     * fast failure state: for a caller on the request path that must give up on Redis sooner than the shared
     * client.
     *
     * @param timeout the connect, command and pool-wait timeout (in a cluster also the bound of a command's
     *     retries and redirections)
     * @param purpose a label for the logs, such as {@code token-cache}
     */
    public static Redis open(RedisConfig config, Duration timeout, String purpose) {
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(config.poolSize());
        pool.setMaxIdle(config.poolSize());
        pool.setMaxWait(timeout);
        pool.setJmxEnabled(false);
        DefaultJedisClientConfig client = clientConfig(config, timeout, timeout);
        String label = purpose.isEmpty() ? "" : " (" + purpose + ")";
        if (config.cluster()) {
            Set<HostAndPort> nodes = new LinkedHashSet<>(nodes(config));
            return new Redis(() -> RedisClusterClient.builder().nodes(nodes).clientConfig(client).poolConfig(pool)
                    .maxTotalRetriesDuration(timeout).build(), true, "cluster " + nodes + label, config,
                    System::nanoTime);
        }
        RedisClient jedis = RedisClient.builder().hostAndPort(nodes(config).get(0)).clientConfig(client)
                .poolConfig(pool).build();
        return new Redis(jedis, nodes(config).get(0) + label, config, System::nanoTime);
    }

    /**
     * One unpooled connection, for a subscription ({@code SUBSCRIBE} holds its connection). The caller sends
     * a {@code PING} more often than {@code readTimeout} so that a dead peer is noticed. In a cluster it is a
     * connection to the first seed node that answers: classic {@code PUBLISH} is broadcast to every node of a
     * cluster, so a subscriber on any node hears what is published on any other.
     *
     * @throws JedisException when no node answers
     */
    public static Jedis connect(RedisConfig config, Duration readTimeout) {
        DefaultJedisClientConfig client = clientConfig(config, config.timeout(), readTimeout);
        JedisException last = null;
        for (HostAndPort node : nodes(config)) {
            Jedis j = null;
            try {
                j = new Jedis(node, client);
                j.ping();
                return j;
            } catch (JedisException e) {
                if (j != null) {
                    j.close();
                }
                last = e;
            }
        }
        throw last;
    }

    private static List<HostAndPort> nodes(RedisConfig config) {
        List<HostAndPort> out = new ArrayList<>();
        for (URI uri : config.seeds()) {
            out.add(new HostAndPort(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 6379));
        }
        return out;
    }

    private static DefaultJedisClientConfig clientConfig(RedisConfig config, Duration connect, Duration read) {
        URI uri = config.uri();
        DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) connect.toMillis())
                .socketTimeoutMillis((int) read.toMillis())
                .ssl(uri.getScheme().equals("rediss"))
                .clientName("tollgate")
                .autoNegotiateProtocol(false); // RESP2, as the scripts expect; and no warning on each reconnect
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
            T result = operation.apply(client());
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

    /** The client, built on first use (a cluster client fails to build while no seed node answers). */
    private UnifiedJedis client() {
        UnifiedJedis j = jedis;
        if (j != null) {
            return j;
        }
        synchronized (building) {
            if (jedis == null) {
                if (closed) {
                    throw new JedisException("the client is closed");
                }
                jedis = factory.get();
            }
            return jedis;
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

    /**
     * Hands every key under {@code prefix} to {@code page}, a non-empty page at a time: SCAN, and in a cluster
     * SCAN on every master (a pattern without hash tag spans all slots).
     */
    public static void forEachKeyPage(UnifiedJedis jedis, String prefix, Consumer<Collection<String>> page) {
        ScanIteration scan = jedis.scanIteration(1000, prefix + "*");
        while (!scan.isIterationCompleted()) {
            Collection<String> keys = scan.nextBatchList();
            if (!keys.isEmpty()) {
                page.accept(keys);
            }
        }
    }

    /** Whether this is a Redis Cluster client (a multi-key command or script must stay within one slot). */
    public boolean isCluster() {
        return cluster;
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
        synchronized (building) {
            closed = true;
            if (jedis != null) {
                jedis.close();
            }
        }
    }
}
