package dev.tollgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.RateLimitRule.Algorithm;
import dev.tollgate.redis.Redis;
import dev.tollgate.testsupport.RedisPerClass;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * The sliding-window counter in limit.lua with prefetch, in a real redis-server on a fake time: units are only
 * taken ahead for a lease that ends within the current fixed window, so they count in the window they are used
 * in, and units an ended lease did not use are taken off that window's count again.
 */
@Tag("redis")
class WindowCounterRedisIT {
    private static final long S = 1_000_000;
    @RegisterExtension
    static final RedisPerClass REDIS = new RedisPerClass();
    private final Timer timer = new SimpleMeterRegistry().timer("script");

    /** An instance that prefetches (at most 64 units, 50 ms leases), on the fake clock. */
    private RedisBuckets prefetching(AtomicLong now) {
        return new RedisBuckets(REDIS.client(), timer, 64, 2, 64, Duration.ofMillis(50), LimitClock.of(now::get));
    }

    private static List<Acquire> counter(String key, long limit, long window) {
        return List.of(new Acquire("tollgate:test:{c}:" + key, Algorithm.SLIDING_WINDOW_COUNTER, limit, window, limit,
                true));
    }

    /** The current window's count as stored. */
    private static long count(String key) {
        try (Jedis j = new Jedis("127.0.0.1", REDIS.server().port())) {
            return Long.parseLong(j.hget("tollgate:test:{c}:" + key, "c"));
        }
    }

    @Test
    void unitsOfAnEndedLeaseAreTakenOffTheWindowsCount() throws Exception {
        AtomicLong now = new AtomicLong(BucketCases.START + S); // 1 s into a fixed minute
        RedisBuckets holder = prefetching(now);
        RedisBuckets other = new RedisBuckets(REDIS.client(), timer, 64, 2, 0, Duration.ZERO, LimitClock.of(now::get));
        List<Acquire> one = counter("refund", 40, 60 * S);
        int admitted = 0;
        while (holder.prefetched() < 7) { // leases of 1, 2 and 4 units
            assertThat(holder.acquire(one).get(0).allowed()).isTrue();
            admitted++;
        }
        assertThat(holder.held(one)).isPositive();
        assertThat(count("refund")).isEqualTo(admitted + holder.held(one));
        now.addAndGet(100_000); // the leases ended, with units unused
        assertThat(holder.held(one)).isZero();
        assertThat(holder.acquire(one).get(0).allowed()).isTrue();
        admitted++;
        assertThat(count("refund")).as("the ended lease's units given back").isEqualTo(admitted + holder.held(one));
        while (other.acquire(one).get(0).allowed()) {
            admitted++;
        }
        assertThat(admitted + holder.held(one)).isEqualTo(40);
    }

    @Test
    void noUnitsAheadForALeaseThatWouldOutliveTheWindow() throws Exception {
        AtomicLong now = new AtomicLong(BucketCases.START + 10 * S - 40_000); // 40 ms before a window ends
        RedisBuckets buckets = prefetching(now);
        List<Acquire> one = counter("edge", 1_000, 10 * S);
        for (int i = 0; i < 50; i++) {
            assertThat(buckets.acquire(one).get(0).allowed()).isTrue();
        }
        assertThat(buckets.prefetched()).isZero();
        assertThat(buckets.calls()).isEqualTo(50);
        now.addAndGet(40_000 + S); // 1 s into the next window: units ahead again
        for (int i = 0; i < 50; i++) {
            assertThat(buckets.acquire(one).get(0).allowed()).isTrue();
        }
        assertThat(buckets.prefetched()).isPositive();
    }

    /**
     * A client sending every 3 ms against 10 per second, with prefetch, for 5 s: every fixed window admits at most
     * the limit (its units are counted in it) and no sliding window more than the counter's bound of twice the
     * limit; about the limit per second is admitted.
     */
    @Test
    void prefetchKeepsEachFixedWindowWithinTheLimit() throws Exception {
        AtomicLong now = new AtomicLong(BucketCases.START);
        RedisBuckets buckets = prefetching(now);
        List<Acquire> one = counter("steady", 10, S);
        List<Long> admitted = new ArrayList<>();
        for (long t = 0; t < 5 * S; t += 3_000) {
            now.set(BucketCases.START + t);
            if (buckets.acquire(one).get(0).allowed()) {
                admitted.add(t);
            }
        }
        long[] perWindow = new long[5];
        admitted.forEach(t -> perWindow[(int) (t / S)]++);
        for (long n : perWindow) {
            assertThat(n).as("per fixed window: %s", Arrays.toString(perWindow)).isBetween(9L, 10L);
        }
        assertThat(WindowCounterTest.maxInAnyWindow(admitted, S)).isLessThanOrEqualTo(20);
        assertThat(buckets.servedFromPrefetch()).isPositive();
    }
}
