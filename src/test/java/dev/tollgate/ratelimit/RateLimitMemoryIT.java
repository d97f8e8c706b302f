package dev.tollgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.config.RateLimitRule.Algorithm;
import dev.tollgate.config.RateLimitRule;
import dev.tollgate.redis.Redis;
import dev.tollgate.testsupport.Configs;
import dev.tollgate.testsupport.FakeClock;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.RedisClients;
import dev.tollgate.testsupport.RedisPerClass;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * What the rate limiter leaves in a real redis-server: every key it writes expires, within a bound of its window
 * (the sliding log: the window and the prefetch lease; the counter: twice the window; the token bucket: the time
 * it takes to fill up), so memory follows the active clients; and what a key costs ({@code MEMORY USAGE}).
 */
@Tag("redis")
class RateLimitMemoryIT {
    private static final int CLIENTS = 10_000;
    private static final long WINDOW_MS = 4_000;
    private static final long LEASE_MS = 50;
    @RegisterExtension
    static final RedisPerClass REDIS = new RedisPerClass();

    private static Jedis jedis() {
        return new Jedis("127.0.0.1", REDIS.server().port());
    }

    /**
     * One request from each of 10000 clients through three rules of 4 s (one per algorithm; the token bucket
     * refills 1 per 4 s, so it too needs its key for 4 s): three keys per client, each with a TTL within its bound,
     * and none left once they expired. (The burst takes well under the 4 s the shortest key lives.)
     */
    @Test
    void everyKeyExpiresWithinItsBoundAndAllAreGoneAfterwards() throws Exception {
        GatewayConfig config = Configs.withApiRoute("gateway.redis.uri = " + REDIS.server().uri(),
                "gateway.rate-limit.policy = redis", "gateway.rate-limit.instances = 1",
                "gateway.rate-limit.prefetch-time = " + LEASE_MS + "ms",
                "gateway.rate-limit.rules.log.limit = 5", "gateway.rate-limit.rules.log.window = 4s",
                "gateway.rate-limit.rules.counter.algorithm = sliding-window-counter",
                "gateway.rate-limit.rules.counter.limit = 5", "gateway.rate-limit.rules.counter.window = 4s",
                "gateway.rate-limit.rules.bucket.algorithm = token-bucket",
                "gateway.rate-limit.rules.bucket.limit = 1", "gateway.rate-limit.rules.bucket.window = 4s",
                "gateway.routes.api.rate-limit = log, counter, bucket");
        try (Redis redis = RedisClients.open(REDIS.server());
             RateLimiter limiter = new RateLimiter(config.rateLimit(), redis, new FakeClock(),
                     new SimpleMeterRegistry(), null)) {
            burst(limiter);
        }
        Map<String, Long> bound = Map.of("log", WINDOW_MS + LEASE_MS + 1, "counter", 2 * WINDOW_MS,
                "bucket", WINDOW_MS + 1);
        Map<String, Long> ttls = ttls();
        Map<String, Integer> perRule = new HashMap<>();
        ttls.forEach((key, ttl) -> {
            String rule = key.substring(key.lastIndexOf(':') + 1);
            assertThat(bound).as(key).containsKey(rule);
            assertThat(ttl).as("PTTL of %s", key).isPositive().isLessThanOrEqualTo(bound.get(rule));
            perRule.merge(rule, 1, Integer::sum);
        });
        assertThat(perRule).isEqualTo(Map.of("log", CLIENTS, "counter", CLIENTS, "bucket", CLIENTS));
        try (Jedis j = jedis()) {
            assertThat(Poll.until(Duration.ofSeconds(60), () -> j.dbSize() == 0)).as("every key expired within 60 s")
                    .isTrue();
        }
    }

    private static void burst(RateLimiter limiter) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    int allowed = 0;
                    for (int i = thread; i < CLIENTS; i += 16) {
                        String ip = "10." + (i >> 16) + "." + (i >> 8 & 255) + "." + (i & 255);
                        Decision d = limiter.check(new Caller("api", ip, null, h -> null));
                        assertThat(d.rules()).as("decided in Redis").hasSize(3);
                        allowed += d.isAllowed() ? 1 : 0;
                    }
                    return allowed;
                }));
            }
            int allowed = 0;
            for (Future<Integer> f : futures) {
                allowed += f.get();
            }
            assertThat(allowed).isEqualTo(CLIENTS);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Every key and its PTTL in milliseconds (-1: none), by SCAN and pipelined PTTL. */
    private static Map<String, Long> ttls() {
        Map<String, Long> out = new HashMap<>();
        try (Jedis j = jedis()) {
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = j.scan(cursor, new ScanParams().count(1000));
                Pipeline p = j.pipelined();
                Map<String, Response<Long>> pending = new HashMap<>();
                page.getResult().forEach(k -> pending.put(k, p.pttl(k)));
                p.sync();
                pending.forEach((k, r) -> out.put(k, r.get()));
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
        return out;
    }

    /**
     * The memory a bucket holds ({@code MEMORY USAGE}, every element counted) for one identity after 1, 100 and
     * 10000 admitted requests: the counter's stays about the same, the sliding log's grows by one entry per request
     * (compact while small, a skiplist beyond 128 entries). The figures are printed for the docs.
     */
    @Test
    void theCounterHoldsTheSameMemoryWhateverTheCountAndTheLogOneEntryPerRequest() throws Exception {
        AtomicLong now = new AtomicLong(BucketCases.START);
        try (Redis redis = RedisClients.open(REDIS.server()); Jedis j = jedis()) {
            Timer timer = new SimpleMeterRegistry().timer("t");
            String log = BucketKeys.key(rule(), RateLimitRule.Key.IP, "10.0.0.1");
            String counter = log + "-counter";
            List<Acquire> both = List.of(new Acquire(log, Algorithm.SLIDING_WINDOW, 100_000, 3_600_000_000L, 100_000,
                    true), new Acquire(counter, Algorithm.SLIDING_WINDOW_COUNTER, 100_000, 3_600_000_000L, 100_000,
                    true));
            Map<Integer, long[]> usage = new HashMap<>();
            int sent = 0;
            for (int n : new int[] {1, 100, 10_000}) {
                List<LimitScript.Request> batch = new ArrayList<>();
                for (; sent < n; sent++) {
                    now.incrementAndGet();
                    batch.add(LimitScript.Request.plain(both));
                    if (batch.size() == 256 || sent == n - 1) {
                        LimitScript.call(redis, batch, OptionalLong.of(now.get()), timer);
                        batch.clear();
                    }
                }
                usage.put(n, new long[] {j.memoryUsage(log, 0), j.memoryUsage(counter, 0)});
            }
            long perEntrySmall = (usage.get(100)[0] - usage.get(1)[0]) / 99;
            long perEntryLarge = (usage.get(10_000)[0] - usage.get(100)[0]) / 9_900;
            System.out.printf("rate-limit memory: key name %d bytes; sliding log %d bytes with 1 entry, %d with 100,"
                    + " %d with 10000 (%d bytes per entry while compact, %d as a skiplist); counter %d bytes%n",
                    log.length(), usage.get(1)[0], usage.get(100)[0], usage.get(10_000)[0], perEntrySmall,
                    perEntryLarge, usage.get(1)[1]);
            // a larger count is a wider integer in the hash: a byte or two, not an entry per request
            long base = usage.get(1)[1];
            assertThat(usage.get(100)[1]).isBetween(base, base + 4);
            assertThat(usage.get(10_000)[1]).as("the counter's memory does not grow").isBetween(base, base + 4);
            assertThat(perEntrySmall).isPositive();
            assertThat(perEntryLarge).as("a skiplist entry costs more than a compact one").isGreaterThan(perEntrySmall);
        }
    }

    private static RateLimitRule rule() {
        return Configs.withApiRoute("gateway.rate-limit.rules.per-hour.limit = 100000",
                "gateway.rate-limit.rules.per-hour.window = 1h").rateLimit().rules().get("per-hour");
    }
}
