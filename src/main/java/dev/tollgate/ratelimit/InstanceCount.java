package dev.tollgate.ratelimit;

import dev.tollgate.redis.Redis;
import dev.tollgate.redis.RedisUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many gateway instances share the limits, for the local share while Redis is unavailable: configured, or
 * discovered by heartbeats in Redis ({@code instances.lua}: every instance announces itself each interval, and
 * counts those heard from within three intervals). A lower count is taken only once it has lasted three
 * intervals ({@link SlowToFall}), so an instance never counts itself alone just because Redis restarted empty
 * and the others have not called in yet. While Redis is down the last count is kept. Thread-safe;
 * {@link #close()} stops the heartbeat.
 */
final class InstanceCount implements AutoCloseable {
    static final String KEY = Redis.NAMESPACE + "{rl-instances}";
    private static final Logger LOG = LoggerFactory.getLogger(InstanceCount.class);
    private static final LuaScript HEARTBEAT = new LuaScript("instances.lua");

    private final AtomicInteger count;
    private final Redis redis;
    private final String id = UUID.randomUUID().toString();
    private final long ttlMicros;
    private final ScheduledExecutorService timer;
    private final SlowToFall discovered;

    /** A fixed count. */
    InstanceCount(int configured) {
        this.count = new AtomicInteger(configured);
        this.redis = null;
        this.ttlMicros = 0;
        this.timer = null;
        this.discovered = null;
    }

    /** Discovered through Redis, starting with 1 until the first heartbeat answers. */
    InstanceCount(Redis redis, Duration interval) {
        this.count = new AtomicInteger(1);
        this.redis = redis;
        this.ttlMicros = interval.toNanos() * 3 / 1000;
        this.discovered = new SlowToFall(1, interval.toNanos() * 3);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tollgate-ratelimit-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        timer.scheduleWithFixedDelay(this::heartbeat, 0, ms, TimeUnit.MILLISECONDS);
    }

    /** A reloaded fixed count; a count discovered by heartbeats stays discovered. */
    void configure(int configured) {
        if (redis == null && configured > 0) {
            count.set(configured);
        }
    }

    int current() {
        return count.get();
    }

    void heartbeat() {
        try {
            long n = redis.call(j -> (Long) HEARTBEAT.eval(j, List.of(KEY), List.of(id, Long.toString(ttlMicros))));
            int next = discovered.read((int) Math.max(1, Math.min(n, Integer.MAX_VALUE)), System.nanoTime());
            int was = count.getAndSet(next);
            if (was != next) {
                LOG.info("rate-limit: {} gateway instance(s) share the limits", next);
            }
        } catch (RedisUnavailableException e) {
            // the Redis client logs the outage once; the last count stays in use
        } catch (RuntimeException e) {
            LOG.warn("rate-limit: instance heartbeat failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                redis.call(j -> j.zrem(KEY, id));
            } catch (RedisUnavailableException e) {
                // our entry expires by itself
            }
        }
    }
}
