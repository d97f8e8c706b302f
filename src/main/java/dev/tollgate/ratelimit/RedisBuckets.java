package dev.tollgate.ratelimit;

import dev.tollgate.config.RateLimitRule.Algorithm;
import dev.tollgate.redis.Redis;
import dev.tollgate.redis.RedisUnavailableException;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Buckets in the shared Redis: one call of {@code limit.lua} per request (one round trip), which checks and
 * takes from all of the request's buckets atomically. Time comes from Redis {@code TIME}, so gateway instances
 * with skewed clocks agree. Thread-safe.
 */
final class RedisBuckets implements Buckets {
    static final LuaScript LIMIT = new LuaScript("limit.lua");

    private final Redis redis;
    private final Timer latency;
    private final LongSupplier testClock;

    /**
     * @param redis the shared client
     * @param latency records each script call
     */
    RedisBuckets(Redis redis, Timer latency) {
        this(redis, latency, null);
    }

    /**
     * With a fake time in microseconds instead of Redis {@code TIME}: only for the test cases shared with
     * {@link LocalBuckets}.
     */
    RedisBuckets(Redis redis, Timer latency, LongSupplier testClockMicros) {
        this.redis = redis;
        this.latency = latency;
        this.testClock = testClockMicros;
    }

    @Override
    public List<Outcome> acquire(List<Acquire> buckets) throws RedisUnavailableException {
        long nowMicros = testClock == null ? -1 : testClock.getAsLong();
        List<String> keys = new ArrayList<>(buckets.size());
        List<String> args = new ArrayList<>(1 + buckets.size() * 5);
        args.add(Long.toString(nowMicros));
        for (Acquire a : buckets) {
            keys.add(a.key());
            args.add(a.algorithm() == Algorithm.SLIDING_WINDOW ? "1" : "2");
            args.add(Long.toString(a.limit()));
            args.add(Long.toString(a.windowMicros()));
            args.add(Long.toString(a.burst()));
            args.add(a.enforced() ? "1" : "0");
        }
        long start = System.nanoTime();
        Object reply = redis.call(j -> LIMIT.eval(j, keys, args));
        latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        List<?> values = (List<?>) reply;
        List<Outcome> out = new ArrayList<>(buckets.size());
        for (int i = 0; i < buckets.size(); i++) {
            out.add(new Outcome(number(values, 4 * i) == 1, number(values, 4 * i + 1), number(values, 4 * i + 2),
                    number(values, 4 * i + 3)));
        }
        return out;
    }

    private static long number(List<?> values, int i) {
        return ((Number) values.get(i)).longValue();
    }

    @Override
    public long reset(List<String> keys) throws RedisUnavailableException {
        long n = 0;
        for (String key : keys) {
            // one DEL per key: keys of different identities may sit in different cluster slots
            n += redis.call(j -> j.del(key));
        }
        return n;
    }
}
