package dev.tollgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.RateLimitRule.Algorithm;
import dev.tollgate.redis.Redis;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.RedisClients;
import dev.tollgate.testsupport.RedisPerClass;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** limit.lua in a real redis-server: the shared table, script loading, and exactness across clients. */
@Tag("redis")
class RedisBucketsIT {
    @RegisterExtension
    static final RedisPerClass REDIS = new RedisPerClass();

    private static Redis redis() {
        return REDIS.client();
    }
    private final Timer timer = new SimpleMeterRegistry().timer("script");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.tollgate.ratelimit.BucketCases#cases")
    void answersAsTheSharedTableSays(BucketCases.Case c) throws Exception {
        AtomicLong now = new AtomicLong();
        RedisBuckets buckets = new RedisBuckets(redis(), timer, 64, 4, 0, Duration.ZERO, LimitClock.of(now::get));
        int i = 0;
        for (BucketCases.Step step : c.steps()) {
            now.set(BucketCases.START + step.atMicros());
            assertThat(buckets.acquire(c.buckets())).as("step %d at +%d us", i++, step.atMicros())
                    .isEqualTo(step.expected());
        }
    }

    @Test
    void reloadsTheScriptWhenRedisLostIt() throws Exception {
        RedisBuckets buckets = new RedisBuckets(redis(), timer, 64, 4, 0, Duration.ZERO);
        List<Acquire> one = List.of(new Acquire("tollgate:test:{k}:a", Algorithm.SLIDING_WINDOW, 5, 60_000_000, 5,
                true));
        assertThat(buckets.acquire(one).get(0).remaining()).isEqualTo(4);
        assertThat(REDIS.server().command("SCRIPT EXISTS " + LimitScript.LIMIT.sha())).isEqualTo("*1");
        REDIS.server().command("SCRIPT FLUSH");
        assertThat(buckets.acquire(one).get(0).remaining()).isEqualTo(3);
        assertThat(redis().isAvailable()).as("NOSCRIPT is no outage").isTrue();
    }

    @Test
    void keysExpireWithTheirWindowAndUseRedisTime() throws Exception {
        RedisBuckets buckets = new RedisBuckets(redis(), timer, 64, 4, 0, Duration.ZERO);
        buckets.acquire(List.of(new Acquire("tollgate:test:{k}:w", Algorithm.SLIDING_WINDOW, 5, 2_000_000, 5, true),
                new Acquire("tollgate:test:{k}:b", Algorithm.TOKEN_BUCKET, 1, 3_000_000, 2, true)));
        long ttlWindow = Long.parseLong(REDIS.server().command("PTTL tollgate:test:{k}:w").substring(1));
        long ttlBucket = Long.parseLong(REDIS.server().command("PTTL tollgate:test:{k}:b").substring(1));
        assertThat(ttlWindow).isBetween(1L, 2_001L);
        assertThat(ttlBucket).as("until the bucket is full again: 1 token at 1 per 3 s").isBetween(1L, 3_001L);
    }

    /**
     * Two clients with their own connection pools, as two gateway instances (one batching, one making a call per
     * request), hammer one bucket from 16 threads: exactly the limit is admitted.
     */
    @Test
    void twoInstancesAdmitExactlyTheLimitTogether() throws Exception {
        try (Redis other = RedisClients.open(REDIS.server())) {
            List<RedisBuckets> instances = List.of(new RedisBuckets(redis(), timer, 64, 4, 0, Duration.ZERO),
                    new RedisBuckets(other, timer, 1, 1, 0, Duration.ZERO));
            for (Algorithm algorithm : Algorithm.values()) {
                List<Acquire> one = List.of(new Acquire("tollgate:test:{k}:" + algorithm, algorithm, 250,
                        3_600_000_000L, 250, true));
                assertThat(hammer(instances, one)).as(algorithm.label()).isEqualTo(250);
            }
        }
    }

    /** Both instances prefetching, 16 threads: still exactly the limit, no unit left unused. */
    @Test
    void twoPrefetchingInstancesAdmitExactlyTheLimitTogether() throws Exception {
        try (Redis other = RedisClients.open(REDIS.server())) {
            List<RedisBuckets> instances = List.of(new RedisBuckets(redis(), timer, 64, 2, 64, Duration.ofMillis(50)),
                    new RedisBuckets(other, timer, 64, 2, 64, Duration.ofMillis(50)));
            for (Algorithm algorithm : Algorithm.values()) {
                List<Acquire> one = List.of(new Acquire("tollgate:test:{k}:p" + algorithm, algorithm, 250,
                        3_600_000_000L, 250, true));
                assertThat(hammer(instances, one)).as(algorithm.label()).isEqualTo(250);
            }
            assertThat(instances.get(0).servedFromPrefetch() + instances.get(1).servedFromPrefetch())
                    .as("some requests served without a call").isPositive();
        }
    }

    /**
     * One busy client, one thread, time standing still: after the first calls most requests are served from
     * prefetched units without a call, and yet the client sees exactly what one call per request would show:
     * {@code remaining} counting down by one, the limit admitted and not one more.
     */
    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void prefetchCountsDownOneByOneAndAdmitsExactlyTheLimit(Algorithm algorithm) throws Exception {
        AtomicLong now = new AtomicLong(BucketCases.START);
        RedisBuckets buckets = prefetching(now);
        List<Acquire> hot = List.of(new Acquire("tollgate:test:{h}:" + algorithm, algorithm, 300, 60_000_000, 300,
                true), new Acquire("tollgate:test:{h}:ro" + algorithm, algorithm, 1_000, 60_000_000, 1_000, false));
        for (int i = 1; i <= 300; i++) {
            List<BucketAnswer> o = buckets.acquire(hot);
            assertThat(o.get(0).allowed()).as("request %d", i).isTrue();
            assertThat(o.get(0).remaining()).as("request %d", i).isEqualTo(300 - i);
            assertThat(o.get(1).remaining()).as("report-only bucket, request %d", i).isEqualTo(1_000 - i);
        }
        long calls = buckets.calls();
        assertThat(buckets.servedFromPrefetch()).isEqualTo(300 - calls);
        assertThat(calls).as("calls for 300 requests").isLessThan(60);
        for (int i = 0; i < 5; i++) {
            BucketAnswer o = buckets.acquire(hot).get(0);
            assertThat(o.allowed()).isFalse();
            assertThat(o.retryMicros()).isPositive();
        }
        assertThat(buckets.calls()).as("near and past the limit: one call per request").isEqualTo(calls + 5);
    }

    /** A reload's smaller prefetch: the same busy client now makes a call for most of its requests. */
    @Test
    void resizedPrefetchTakesFewerUnitsAhead() throws Exception {
        AtomicLong now = new AtomicLong(BucketCases.START);
        RedisBuckets buckets = prefetching(now);
        List<Acquire> wide = List.of(new Acquire("tollgate:test:{r}:wide", Algorithm.TOKEN_BUCKET, 100_000, 60_000_000,
                100_000, true));
        for (int i = 0; i < 200; i++) {
            assertThat(buckets.acquire(wide).get(0).allowed()).isTrue();
        }
        long wideCalls = buckets.calls();
        buckets.resize(1, 1, 1, Duration.ofMillis(50));
        List<Acquire> narrow = List.of(new Acquire("tollgate:test:{r}:narrow", Algorithm.TOKEN_BUCKET, 100_000,
                60_000_000, 100_000, true));
        for (int i = 0; i < 200; i++) {
            assertThat(buckets.acquire(narrow).get(0).allowed()).isTrue();
        }
        long narrowCalls = buckets.calls() - wideCalls;
        assertThat(wideCalls).as("prefetch 64: calls for 200 requests").isLessThan(30);
        assertThat(narrowCalls).as("prefetch 1: calls for 200 requests").isGreaterThanOrEqualTo(90);
    }

    /**
     * Another instance takes what Redis has left while this one still holds prefetched units: this one's
     * requests use them all, the one that asks Redis for more included, and only then are refused.
     */
    @Test
    void heldUnitsAreUsedWhenRedisHasNoneLeft() throws Exception {
        AtomicLong now = new AtomicLong(BucketCases.START);
        RedisBuckets holder = prefetching(now);
        RedisBuckets other = new RedisBuckets(redis(), timer, 64, 2, 0, Duration.ZERO, LimitClock.of(now::get));
        List<Acquire> one = List.of(new Acquire("tollgate:test:{d}:sw", Algorithm.SLIDING_WINDOW, 100, 60_000_000,
                100, true));
        int admitted = rampUp(holder, one, 15); // leases of 1, 2, 4 and 8 units
        admitted += drain(other, one);
        List<Boolean> after = allowed(holder, one, 20);
        int held = after.indexOf(false);
        assertThat(held).as("units still held: %s", after).isGreaterThanOrEqualTo(2);
        assertThat(after.subList(held, after.size())).as("after the held units: %s", after).containsOnly(false);
        assertThat(admitted + held).isEqualTo(100);
    }

    /**
     * Units a lease did not use before it ended go back to the sliding log with the next call: the log then
     * counts exactly the admitted requests and the units still held, and another instance can take the rest.
     */
    @Test
    void unitsOfAnEndedLeaseGoBackToTheSlidingLog() throws Exception {
        AtomicLong now = new AtomicLong(BucketCases.START);
        RedisBuckets holder = prefetching(now);
        RedisBuckets other = new RedisBuckets(redis(), timer, 64, 2, 0, Duration.ZERO, LimitClock.of(now::get));
        List<Acquire> one = List.of(new Acquire("tollgate:test:{g}:sw", Algorithm.SLIDING_WINDOW, 40, 60_000_000,
                40, true));
        int admitted = rampUp(holder, one, 7); // leases of 1, 2 and 4 units
        assertThat(holder.held(one)).isPositive();
        assertThat(zcard("tollgate:test:{g}:sw")).isEqualTo(admitted + holder.held(one));
        now.addAndGet(100_000); // the leases ended, with units unused
        assertThat(holder.held(one)).isZero();
        assertThat(holder.acquire(one).get(0).allowed()).isTrue();
        admitted++;
        assertThat(zcard("tollgate:test:{g}:sw")).as("the ended lease's units given back")
                .isEqualTo(admitted + holder.held(one));
        admitted += drain(other, one);
        assertThat(admitted + holder.held(one)).isEqualTo(40);
    }

    private static long zcard(String key) throws Exception {
        return Long.parseLong(REDIS.server().command("ZCARD " + key).substring(1));
    }

    /** An instance that prefetches (at most 64 units, 50 ms leases), on the fake clock. */
    private RedisBuckets prefetching(AtomicLong now) {
        return new RedisBuckets(redis(), timer, 64, 2, 64, Duration.ofMillis(50), LimitClock.of(now::get));
    }

    /** One client's requests, every one admitted, until the instance has taken {@code units} ahead in all. */
    private static int rampUp(RedisBuckets holder, List<Acquire> one, long units) throws Exception {
        int admitted = 0;
        while (holder.prefetched() < units) {
            assertThat(holder.acquire(one).get(0).allowed()).isTrue();
            admitted++;
        }
        return admitted;
    }

    /** Whether each of {@code n} requests was admitted, in order. */
    private static List<Boolean> allowed(RedisBuckets buckets, List<Acquire> one, int n) throws Exception {
        List<Boolean> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(buckets.acquire(one).get(0).allowed());
        }
        return out;
    }

    /** Requests until Redis has no room left; returns how many were admitted. */
    private static int drain(RedisBuckets other, List<Acquire> one) throws Exception {
        int admitted = 0;
        while (other.acquire(one).get(0).allowed()) {
            admitted++;
        }
        return admitted;
    }

    /**
     * A token bucket's prefetched units do not end: taking a token early only makes the bucket stricter, so the
     * instance hands them out however late its client comes back, even when Redis has none left.
     */
    @Test
    void tokenBucketUnitsDoNotEnd() throws Exception {
        AtomicLong now = new AtomicLong(BucketCases.START);
        RedisBuckets holder = prefetching(now);
        RedisBuckets other = new RedisBuckets(redis(), timer, 64, 2, 0, Duration.ZERO, LimitClock.of(now::get));
        List<Acquire> one = List.of(new Acquire("tollgate:test:{t}:tb", Algorithm.TOKEN_BUCKET, 1, 3_600_000_000L,
                40, true));
        int admitted = rampUp(holder, one, 7);
        admitted += drain(other, one);
        int held = holder.held(one);
        assertThat(held).isPositive();
        now.addAndGet(10_000_000); // 10 s later: 1 token an hour came back, not one whole
        assertThat(holder.held(one)).isEqualTo(held);
        List<Boolean> after = allowed(holder, one, held + 3);
        assertThat(after.subList(0, held)).as("%s", after).containsOnly(true);
        assertThat(after.subList(held, held + 3)).as("%s", after).containsOnly(false);
        assertThat(admitted + held).isEqualTo(40);
    }

    /**
     * Prefetched units are stamped at their lease's end in the sliding log, so however late in its lease an
     * instance hands one out, no window of actual admissions holds more than the limit: a client sending every
     * 7 ms against 10 per second, with 50 ms leases, for 4 s.
     */
    @Test
    void prefetchNeverPutsMoreThanTheLimitInAnyWindow() throws Exception {
        AtomicLong now = new AtomicLong(BucketCases.START);
        RedisBuckets buckets = prefetching(now);
        List<Acquire> one = List.of(new Acquire("tollgate:test:{e}:sw", Algorithm.SLIDING_WINDOW, 10, 1_000_000, 10,
                true));
        List<Long> admitted = new ArrayList<>();
        for (long t = 0; t < 4_000_000; t += 7_000) {
            now.set(BucketCases.START + t);
            if (buckets.acquire(one).get(0).allowed()) {
                admitted.add(t);
            }
        }
        for (int i = 10; i < admitted.size(); i++) {
            assertThat(admitted.get(i) - admitted.get(i - 10)).as("admissions %d and %d", i - 10, i)
                    .isGreaterThanOrEqualTo(1_000_000);
        }
        assertThat(admitted.size()).as("about 10 a second, a few lost to late stamps").isBetween(34, 40);
        assertThat(buckets.servedFromPrefetch()).isPositive();
    }

    /**
     * While one script call is held up (Redis paused), the requests that arrive meanwhile wait and then go in
     * one call, each still all or nothing and in order: 3 calls for 12 requests, exactly the limit admitted.
     */
    @Test
    void requestsArrivingDuringACallShareTheNextOne() throws Exception {
        RedisBuckets buckets = new RedisBuckets(redis(), timer, 64, 1, 0, Duration.ZERO);
        List<Acquire> one = List.of(new Acquire("tollgate:test:{k}:p", Algorithm.SLIDING_WINDOW, 7, 60_000_000, 7,
                true));
        assertThat(buckets.acquire(one).get(0).allowed()).isTrue(); // also loads the script
        ExecutorService pool = Executors.newFixedThreadPool(11);
        try {
            REDIS.server().command("CLIENT PAUSE 1000 ALL");
            List<Future<Boolean>> futures = new ArrayList<>();
            futures.add(pool.submit(() -> buckets.acquire(one).get(0).allowed()));
            await(() -> buckets.callsInFlight() == 1); // held by the paused Redis
            for (int t = 0; t < 10; t++) {
                futures.add(pool.submit(() -> buckets.acquire(one).get(0).allowed()));
            }
            await(() -> buckets.waiting() == 10);
            int allowed = 0;
            for (Future<Boolean> f : futures) {
                allowed += f.get() ? 1 : 0;
            }
            assertThat(allowed).as("7 in all, one of them taken before the pause").isEqualTo(6);
            assertThat(buckets.requests()).isEqualTo(12);
            assertThat(buckets.calls()).as("before the pause, the held call, then one for the ten").isEqualTo(3);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A batch whose requests share buckets (a hot client) answers exactly as the same requests made one call
     * each: the script keeps each bucket's state while it goes through the batch. Mixed rules, one rejection by
     * an enforced rule that must not take from the others, and a report-only rule.
     */
    @Test
    void aBatchAnswersAsOneCallPerRequest() throws Exception {
        AtomicLong now = new AtomicLong(BucketCases.START);
        RedisBuckets buckets = new RedisBuckets(redis(), timer, 64, 1, 0, Duration.ZERO, LimitClock.of(now::get));
        List<List<Acquire>> together = new ArrayList<>();
        List<List<Acquire>> alone = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            together.add(requestOf("t", i));
            alone.add(requestOf("a", i));
        }
        for (int step = 0; step < 3; step++) {
            now.addAndGet(700_000); // refills and window movement between the batches
            List<List<BucketAnswer>> batched = new ArrayList<>();
            List<LimitScript.Request> batch = together.stream().map(LimitScript.Request::plain).toList();
            for (LimitScript.Answer answer : LimitScript.call(redis(), batch, OptionalLong.of(now.get()), timer)) {
                batched.add(answer.outcomes());
            }
            List<List<BucketAnswer>> single = new ArrayList<>();
            for (List<Acquire> r : alone) {
                single.add(buckets.acquire(r));
            }
            assertThat(batched).as("step %d", step).isEqualTo(single);
        }
        assertThat(REDIS.server().command("HGET tollgate:test:{t}:tb tokens"))
                .isEqualTo(REDIS.server().command("HGET tollgate:test:{a}:tb tokens"));
        assertThat(REDIS.server().command("ZCARD tollgate:test:{t}:sw"))
                .isEqualTo(REDIS.server().command("ZCARD tollgate:test:{a}:sw"));
    }

    /** Request i of a hot client: a sliding window and a token bucket, every third one also a tight rule. */
    private static List<Acquire> requestOf(String tag, int i) {
        List<Acquire> r = new ArrayList<>(List.of(
                new Acquire("tollgate:test:{" + tag + "}:sw", Algorithm.SLIDING_WINDOW, 9, 2_000_000, 9, true),
                new Acquire("tollgate:test:{" + tag + "}:tb", Algorithm.TOKEN_BUCKET, 3, 1_000_000, 5, true),
                new Acquire("tollgate:test:{" + tag + "}:ro", Algorithm.TOKEN_BUCKET, 1, 1_000_000, 2, false)));
        if (i % 3 == 0) {
            r.add(new Acquire("tollgate:test:{" + tag + "}:tight", Algorithm.SLIDING_WINDOW, 2, 5_000_000, 2, true));
        }
        return r;
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        assertThat(Poll.until(Duration.ofSeconds(10), condition)).as("condition within 10 s").isTrue();
    }

    static int hammer(List<RedisBuckets> instances, List<Acquire> buckets) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                RedisBuckets b = instances.get(t % instances.size());
                futures.add(pool.submit(() -> {
                    go.await();
                    int allowed = 0;
                    for (int n = 0; n < 40; n++) {
                        if (b.acquire(buckets).get(0).allowed()) {
                            allowed++;
                        }
                    }
                    return allowed;
                }));
            }
            go.countDown();
            int total = 0;
            for (Future<Integer> f : futures) {
                total += f.get();
            }
            return total;
        } finally {
            pool.shutdownNow();
        }
    }
}
