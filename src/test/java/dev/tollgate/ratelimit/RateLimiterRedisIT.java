package dev.tollgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.ratelimit.Decision.Verdict;
import dev.tollgate.redis.Redis;
import dev.tollgate.testsupport.Configs;
import dev.tollgate.testsupport.FakeClock;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.RedisClients;
import dev.tollgate.testsupport.RedisPerClass;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The limiter with the policy {@code redis} against a real redis-server: two instances with skewed clocks share
 * exact limits, each failure policy while Redis is stopped, recovery, and instance discovery.
 */
@Tag("redis")
class RateLimiterRedisIT {
    @RegisterExtension
    static final RedisPerClass REDIS = new RedisPerClass();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final MeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** One gateway instance's limiter: its own Redis client and its own clock. */
    private RateLimiter instance(FakeClock clock, String... lines) {
        List<String> all = new ArrayList<>(List.of("gateway.redis.uri = " + REDIS.server().uri(),
                "gateway.rate-limit.policy = redis"));
        all.addAll(List.of(lines));
        GatewayConfig config = Configs.withApiRoute(all.toArray(new String[0]));
        Redis redis = RedisClients.open(REDIS.server());
        RateLimiter limiter = new RateLimiter(config.rateLimit(), redis, clock, registry, null);
        open.add(redis);
        open.add(limiter);
        return limiter;
    }

    private static FakeClock clock(String at) {
        return new FakeClock(Instant.parse(at));
    }

    private static Caller anyone() {
        return new Caller("api", "10.0.0.1", null, name -> null);
    }

    @Test
    void instancesWithSkewedClocksShareOneExactLimitUnderLoad() throws Exception {
        String[] rule = {"gateway.rate-limit.rules.r.limit = 100", "gateway.rate-limit.rules.r.window = 10m",
            "gateway.rate-limit.rules.r.key = route", "gateway.rate-limit.instances = 2",
            "gateway.routes.api.rate-limit = r"};
        List<RateLimiter> instances = List.of(instance(clock("2026-01-01T00:00:00Z"), rule),
                instance(clock("2026-01-01T03:17:00Z"), rule));
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                RateLimiter limiter = instances.get(t % 2);
                futures.add(pool.submit(() -> {
                    go.await();
                    int allowed = 0;
                    for (int n = 0; n < 25; n++) {
                        allowed += limiter.check(anyone()).isAllowed() ? 1 : 0;
                    }
                    return allowed;
                }));
            }
            go.countDown();
            int total = 0;
            for (Future<Integer> f : futures) {
                total += f.get();
            }
            assertThat(total).isEqualTo(100);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aReloadedFixedInstanceCountSharesTheFallback() throws Exception {
        String[] rule = {"gateway.rate-limit.rules.local.limit = 7", "gateway.rate-limit.rules.local.window = 1h",
            "gateway.routes.api.rate-limit = local"};
        RateLimiter limiter = instance(clock("2026-01-01T00:00:00Z"), concat(rule, "gateway.rate-limit.instances = 3"));
        limiter.updateRoutes(Configs.withApiRoute(concat(rule, "gateway.redis.uri = " + REDIS.server().uri(),
                "gateway.rate-limit.policy = redis", "gateway.rate-limit.instances = 7")).rateLimit());
        REDIS.server().stop();
        try {
            assertThat(limiter.check(anyone()).rules().get(0).quota()).as("7 over 7 instances").isEqualTo(1);
        } finally {
            REDIS.server().start();
        }
    }

    private static String[] concat(String[] lines, String... more) {
        List<String> all = new ArrayList<>(List.of(lines));
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }

    @Test
    void eachFailurePolicyWhileRedisIsDownAndRecovery() throws Exception {
        RateLimiter limiter = instance(clock("2026-01-01T00:00:00Z"),
                "gateway.rate-limit.instances = 3",
                "gateway.rate-limit.rules.open.limit = 1", "gateway.rate-limit.rules.open.window = 1h",
                "gateway.rate-limit.rules.open.failure-policy = fail-open",
                "gateway.rate-limit.rules.local.limit = 7", "gateway.rate-limit.rules.local.window = 1h",
                "gateway.routes.api.rate-limit = local, open");
        assertThat(limiter.check(anyone()).isAllowed()).isTrue();
        REDIS.server().stop();
        List<Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Decision d = limiter.check(anyone());
            verdicts.add(d.verdict());
            assertThat(d.rules()).as("only the local share is reported").extracting(Decision.RuleStatus::rule)
                    .containsExactly("local");
            assertThat(d.rules().get(0).quota()).as("7 over 3 instances").isEqualTo(2);
        }
        assertThat(verdicts).containsExactly(Verdict.ALLOW, Verdict.ALLOW, Verdict.REJECT, Verdict.REJECT);
        assertThat(registry.get(RateLimiter.FALLBACKS).tags("rule", "local", "policy", "local-fallback").counter()
                .count()).isEqualTo(4);
        assertThat(registry.get(RateLimiter.OUTAGES).counter().count()).as("one outage, counted once").isEqualTo(1);
        assertThat(registry.get(RateLimiter.FALLBACKS).tags("rule", "open", "policy", "fail-open").counter().count())
                .isEqualTo(4);

        REDIS.server().start();
        Decision back = awaitRedis(limiter);
        assertThat(back.rules()).extracting(Decision.RuleStatus::quota).containsExactly(7L, 1L);
        assertThat(registry.get(RateLimiter.OUTAGES).counter().count()).isEqualTo(1);
    }

    @Test
    void failClosedAnswersUnavailable() throws Exception {
        RateLimiter limiter = instance(clock("2026-01-01T00:00:00Z"),
                "gateway.rate-limit.rules.strict.limit = 5", "gateway.rate-limit.rules.strict.window = 1h",
                "gateway.rate-limit.rules.strict.failure-policy = fail-closed",
                "gateway.rate-limit.rules.lax.limit = 5", "gateway.rate-limit.rules.lax.window = 1h",
                "gateway.routes.api.rate-limit = lax, strict");
        REDIS.server().stop();
        Decision d = limiter.check(anyone());
        assertThat(d.verdict()).isEqualTo(Verdict.UNAVAILABLE);
        assertThat(d.retryAfterSeconds()).isEqualTo(1);
        REDIS.server().start();
        assertThat(awaitRedis(limiter).verdict()).isEqualTo(Verdict.ALLOW);
    }

    /**
     * Polls (the client retries Redis after its retry interval) until a decision comes from Redis again; the
     * tests' routes have two rules, and no fallback evaluates both.
     */
    private static Decision awaitRedis(RateLimiter limiter) throws InterruptedException {
        AtomicReference<Decision> last = new AtomicReference<>();
        boolean fromRedis = Poll.until(Duration.ofSeconds(10), () -> {
            last.set(limiter.check(anyone()));
            return last.get().rules().size() == 2; // both rules evaluated: the decision came from Redis
        });
        if (!fromRedis) {
            throw new AssertionError("Redis was not used again within 10 s");
        }
        return last.get();
    }

    @Test
    void discoversHowManyInstancesShareTheLimits() throws Exception {
        String[] rule = {"gateway.rate-limit.heartbeat-interval = 100ms",
            "gateway.rate-limit.rules.r.limit = 10", "gateway.rate-limit.rules.r.window = 1h",
            "gateway.routes.api.rate-limit = r"};
        RateLimiter a = instance(clock("2026-01-01T00:00:00Z"), rule);
        instance(clock("2026-01-01T00:00:00Z"), rule);
        Poll.until(Duration.ofSeconds(10), () -> registry.get("tollgate.ratelimit.instances").gauge().value() == 2);
        assertThat(registry.get("tollgate.ratelimit.instances").gauge().value()).isEqualTo(2);
        REDIS.server().stop();
        int allowed = 0;
        for (int i = 0; i < 10; i++) {
            allowed += a.check(anyone()).isAllowed() ? 1 : 0;
        }
        assertThat(allowed).as("half of 10 while Redis is down").isEqualTo(5);
    }
}
