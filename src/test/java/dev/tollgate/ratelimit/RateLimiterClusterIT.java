package dev.tollgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.config.RedisConfig;
import dev.tollgate.redis.Redis;
import dev.tollgate.testsupport.Configs;
import dev.tollgate.testsupport.FakeClock;
import dev.tollgate.testsupport.RedisCluster;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rate-limit script on a real 3-master Redis Cluster through the Jedis cluster client: the shared table of
 * cases, and exact limits for many identities whose hash-tagged buckets spread over the masters (the script is
 * loaded on each master the first time a call lands there).
 */
@Tag("redis")
class RateLimiterClusterIT {
    private static RedisCluster cluster;
    private static final AtomicInteger RUN = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        cluster = RedisCluster.startNew();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    /** A cluster client as the gateway opens it for {@code gateway.redis.cluster = true} and the seed nodes. */
    private static Redis client() {
        List<URI> seeds = new ArrayList<>();
        cluster.ports().forEach(p -> seeds.add(URI.create("redis://127.0.0.1:" + p)));
        Redis redis = Redis.open(new RedisConfig(seeds.get(0), Duration.ofSeconds(2), 8, Duration.ofMillis(200),
                true, seeds));
        assertThat(redis.isCluster()).isTrue();
        return redis;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.tollgate.ratelimit.BucketCases#cases")
    void answersAsTheSharedTableSays(BucketCases.Case c) throws Exception {
        // a fresh suffix after the hash tag: new keys in the same slot for every run
        String suffix = ":" + RUN.incrementAndGet();
        List<Acquire> buckets = new ArrayList<>();
        for (Acquire a : c.buckets()) {
            buckets.add(new Acquire(a.key() + suffix, a.algorithm(), a.limit(), a.windowMicros(), a.burst(),
                    a.enforced()));
        }
        AtomicLong now = new AtomicLong();
        try (Redis redis = client()) {
            RedisBuckets remote = new RedisBuckets(redis, new SimpleMeterRegistry().timer("t"), 64, 4, 0, Duration.ZERO,
                    LimitClock.of(now::get));
            for (BucketCases.Step step : c.steps()) {
                now.set(BucketCases.START + step.atMicros());
                assertThat(remote.acquire(buckets)).as("+%d us", step.atMicros()).isEqualTo(step.expected());
            }
        }
    }

    @Test
    void identitiesSpreadOverTheMastersAndEachGetsExactlyItsLimit() throws Exception {
        GatewayConfig config = Configs.withApiRoute(
                "gateway.redis.cluster = true",
                "gateway.redis.uri = " + cluster.seeds(),
                "gateway.rate-limit.policy = redis",
                "gateway.rate-limit.instances = 2",
                "gateway.rate-limit.rules.minute.limit = 10",
                "gateway.rate-limit.rules.minute.window = 1m",
                "gateway.rate-limit.rules.hour.limit = 15",
                "gateway.rate-limit.rules.hour.window = 1h",
                "gateway.rate-limit.rules.hour.algorithm = token-bucket",
                "gateway.rate-limit.rules.day.limit = 12",
                "gateway.rate-limit.rules.day.window = 1d",
                "gateway.rate-limit.rules.day.algorithm = sliding-window-counter",
                "gateway.routes.api.rate-limit = minute, hour, day");
        Map<String, AtomicInteger> allowed = admittedByTwoInstances(config, 24, n -> "10.1.0." + (n % 8), 3);
        assertThat(allowed).hasSize(8);
        allowed.forEach((ip, n) -> assertThat(n.get()).as(ip).isEqualTo(10));
        List<Long> keys = cluster.keysPerNode("tollgate:rl:*");
        assertThat(keys.stream().mapToLong(Long::longValue).sum()).as("three buckets per address").isEqualTo(24);
        assertThat(keys.stream().filter(k -> k > 0).count()).as("spread over the masters: %s", keys)
                .isGreaterThanOrEqualTo(2);
    }

    /**
     * Two instances share one sliding-window counter (the only rule, so it is the one that binds), with batching
     * and prefetch as configured by default: within one window whose previous window is empty the counter's
     * estimate is the exact count, so together they admit exactly the limit.
     */
    @Test
    void twoInstancesShareOneSlidingWindowCounterExactly() throws Exception {
        GatewayConfig config = Configs.withApiRoute(
                "gateway.redis.cluster = true",
                "gateway.redis.uri = " + cluster.seeds(),
                "gateway.rate-limit.policy = redis",
                "gateway.rate-limit.instances = 2",
                "gateway.rate-limit.rules.daily.limit = 50",
                "gateway.rate-limit.rules.daily.window = 1d",
                "gateway.rate-limit.rules.daily.algorithm = sliding-window-counter",
                "gateway.routes.api.rate-limit = daily");
        String ip = "10.2.0." + RUN.incrementAndGet();
        Map<String, AtomicInteger> allowed = admittedByTwoInstances(config, 10, n -> ip, 1);
        assertThat(allowed.get(ip).get()).as("160 requests from two instances against a limit of 50").isEqualTo(50);
        for (int node = 0; node < cluster.ports().size(); node++) {
            cluster.commandOn(node, "FLUSHALL"); // the other tests count the keys they leave
        }
    }

    /**
     * Two rate limiters with their own cluster clients, as two gateway instances: 16 threads, alternating
     * between them, each send {@code perThread} requests, the n-th from {@code ipOf(n)}; every decision must
     * come from Redis (all {@code rules} rules). Returns how many each address had admitted.
     */
    private static Map<String, AtomicInteger> admittedByTwoInstances(GatewayConfig config, int perThread,
                                                                     IntFunction<String> ipOf, int rules)
            throws Exception {
        FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
        Map<String, AtomicInteger> allowed = new ConcurrentHashMap<>();
        try (Redis a = client(); Redis b = client();
             RateLimiter first = new RateLimiter(config.rateLimit(), a, clock, new SimpleMeterRegistry(), null);
             RateLimiter second = new RateLimiter(config.rateLimit(), b, clock, new SimpleMeterRegistry(), null)) {
            List<RateLimiter> instances = List.of(first, second);
            ExecutorService pool = Executors.newFixedThreadPool(16);
            CountDownLatch go = new CountDownLatch(1);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 16; t++) {
                    RateLimiter limiter = instances.get(t % 2);
                    futures.add(pool.submit(() -> {
                        go.await();
                        for (int n = 0; n < perThread; n++) {
                            String ip = ipOf.apply(n);
                            Decision d = limiter.check(new Caller("api", ip, null, h -> null));
                            assertThat(d.rules()).as("decided in Redis, not by a fallback").hasSize(rules);
                            if (d.isAllowed()) {
                                allowed.computeIfAbsent(ip, k -> new AtomicInteger()).incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : futures) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
        }
        return allowed;
    }
}
