package dev.tollgate.config;

import static dev.tollgate.testsupport.Configs.problemsWithApiRoute;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.RateLimitRule.Algorithm;
import dev.tollgate.config.RateLimitRule.FailurePolicy;
import dev.tollgate.config.RateLimitRule.Key;
import dev.tollgate.testsupport.Configs;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The gateway.rate-limit section and the routes' rate-limit lists: parsing, defaults and every error. */
class RateLimitConfigsTest {
    @Test
    void parsesRulesAndTheRoutesUsingThem() {
        RateLimitConfig c = Configs.withApiRoute(
                "gateway.rate-limit.rules.per-second.limit = 10",
                "gateway.rate-limit.rules.per-second.window = 1s",
                "gateway.rate-limit.rules.gold.limit = 1000",
                "gateway.rate-limit.rules.gold.window = 1m",
                "gateway.rate-limit.rules.gold.algorithm = token-bucket",
                "gateway.rate-limit.rules.gold.burst = 50",
                "gateway.rate-limit.rules.gold.key = principal",
                "gateway.rate-limit.rules.gold.plans = gold, platinum",
                "gateway.rate-limit.rules.gold.roles = admin",
                "gateway.rate-limit.rules.gold.failure-policy = fail-closed",
                "gateway.rate-limit.rules.gold.report-only = true",
                "gateway.rate-limit.rules.tenant.limit = 5",
                "gateway.rate-limit.rules.tenant.window = 1h",
                "gateway.rate-limit.rules.tenant.key = header:X-Tenant",
                "gateway.routes.api.rate-limit = per-second, gold, tenant").rateLimit();
        assertThat(c.redis()).isFalse();
        assertThat(c.instances()).isZero();
        assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.routes()).containsEntry("api", List.of("per-second", "gold", "tenant"));
        assertThat(c.rules().get("per-second")).isEqualTo(new RateLimitRule("per-second", Algorithm.SLIDING_WINDOW,
                10, Duration.ofSeconds(1), 10, Key.IP, null, FailurePolicy.LOCAL_FALLBACK, Set.of(), Set.of(), false));
        assertThat(c.rules().get("gold")).isEqualTo(new RateLimitRule("gold", Algorithm.TOKEN_BUCKET, 1000,
                Duration.ofMinutes(1), 50, Key.PRINCIPAL, null, FailurePolicy.FAIL_CLOSED, Set.of("admin"),
                Set.of("gold", "platinum"), true));
        assertThat(c.rules().get("tenant").key()).isEqualTo(Key.HEADER);
        assertThat(c.rules().get("tenant").header()).isEqualTo("X-Tenant");
    }

    @Test
    void redisPolicyNeedsARedisUri() {
        assertThat(problemsWithApiRoute("gateway.rate-limit.policy = redis")).containsExactly(
                "gateway.rate-limit.policy = \"redis\": expected local, or gateway.redis.uri set for the policy redis");
        assertThat(Configs.withApiRoute("gateway.rate-limit.policy = redis",
                "gateway.redis.uri = redis://127.0.0.1:6379", "gateway.rate-limit.instances = 3").rateLimit())
                .satisfies(c -> assertThat(c.redis()).isTrue())
                .satisfies(c -> assertThat(c.instances()).isEqualTo(3));
    }

    @Test
    void reportsEveryProblemWithItsKey() {
        assertThat(problemsWithApiRoute(
                "gateway.rate-limit.policy = cluster",
                "gateway.rate-limit.rules.a.limit = 0",
                "gateway.rate-limit.rules.a.window = 1s",
                "gateway.rate-limit.rules.b.limit = 5",
                "gateway.rate-limit.rules.b.window = soon",
                "gateway.rate-limit.rules.c.limit = 5",
                "gateway.rate-limit.rules.c.window = 1s",
                "gateway.rate-limit.rules.c.burst = 9",
                "gateway.rate-limit.rules.c.key = cookie",
                "gateway.rate-limit.rules.c.algorithm = leaky",
                "gateway.rate-limit.rules.c.failure-policy = shrug",
                "gateway.rate-limit.rules.c.colour = red",
                "gateway.rate-limit.rules.d.limit = 100001",
                "gateway.rate-limit.rules.d.window = 1h",
                "gateway.rate-limit.rules.e.window = 1h",
                "gateway.rate-limit.rules.e.key = header:bad header",
                "gateway.routes.api.rate-limit = a, nope")).containsExactlyInAnyOrder(
                "gateway.rate-limit.policy = \"cluster\": expected local or redis",
                "gateway.rate-limit.rules.a.limit = \"0\": expected a whole number from 1 to 1000000000",
                "gateway.rate-limit.rules.b.window = \"soon\": expected a duration (e.g. 500ms, 5s, 1m)",
                "gateway.rate-limit.rules.c.algorithm = \"leaky\": expected sliding-window, token-bucket or "
                        + "sliding-window-counter",
                "gateway.rate-limit.rules.c.key = \"cookie\": expected principal, api-key, role, plan, ip, route or "
                        + "header:<name>",
                "gateway.rate-limit.rules.c.failure-policy = \"shrug\": expected fail-open, fail-closed or "
                        + "local-fallback",
                "gateway.rate-limit.rules.c.colour: unknown key",
                "gateway.rate-limit.rules.d.limit = \"100001\": expected at most 100000 for the sliding window (it "
                        + "stores one entry per request); use sliding-window-counter or token-bucket for more",
                "gateway.rate-limit.rules.e.limit = (missing): expected the number of requests admitted per window",
                "gateway.rate-limit.rules.e.key = \"header:bad header\": expected header:<a header name>",
                "gateway.routes.api.rate-limit = \"nope\": expected names of rules configured under "
                        + "gateway.rate-limit.rules [a, b, c, d, e]");
    }

    @Test
    void theCounterTakesAnyLimitAndNoBurst() {
        RateLimitConfig c = Configs.withApiRoute(
                "gateway.rate-limit.rules.hourly.algorithm = sliding-window-counter",
                "gateway.rate-limit.rules.hourly.limit = 1000000",
                "gateway.rate-limit.rules.hourly.window = 1h",
                "gateway.routes.api.rate-limit = hourly").rateLimit();
        assertThat(c.rules().get("hourly")).isEqualTo(new RateLimitRule("hourly", Algorithm.SLIDING_WINDOW_COUNTER,
                1_000_000, Duration.ofHours(1), 1_000_000, Key.IP, null, FailurePolicy.LOCAL_FALLBACK, Set.of(),
                Set.of(), false));
        assertThat(problemsWithApiRoute(
                "gateway.rate-limit.rules.a.algorithm = sliding-window-counter",
                "gateway.rate-limit.rules.a.limit = 5",
                "gateway.rate-limit.rules.a.window = 1s",
                "gateway.rate-limit.rules.a.burst = 9",
                "gateway.routes.api.rate-limit = a")).containsExactly(
                "gateway.rate-limit.rules.a.burst = \"9\": expected no burst: it applies to algorithm token-bucket only");
    }

    @Test
    void burstBelongsToTheTokenBucketOnly() {
        assertThat(problemsWithApiRoute(
                "gateway.rate-limit.rules.a.limit = 5",
                "gateway.rate-limit.rules.a.window = 1s",
                "gateway.rate-limit.rules.a.burst = 9",
                "gateway.routes.api.rate-limit = a, a")).containsExactlyInAnyOrder(
                "gateway.rate-limit.rules.a.burst = \"9\": expected no burst: it applies to algorithm token-bucket only",
                "gateway.routes.api.rate-limit = \"a\": expected each rule at most once");
    }
}
