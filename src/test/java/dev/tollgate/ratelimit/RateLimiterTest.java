package dev.tollgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.tollgate.auth.Principal;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.observability.ManagementBeans;
import dev.tollgate.ratelimit.Decision.Verdict;
import dev.tollgate.testsupport.Configs;
import dev.tollgate.testsupport.FakeClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The limiter's rule choice, keys and headers with the policy {@code local} on a fake clock: who shares a bucket
 * (principal, API key, role, plan, address, route, header), rules chosen by role and plan, several rules at once.
 */
class RateLimiterTest {
    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final ManagementBeans beans = new ManagementBeans();
    private RateLimiter limiter;

    @AfterEach
    void close() {
        if (limiter != null) {
            limiter.close();
        }
        beans.close();
    }

    private RateLimiter limiter(String... lines) {
        limiter = new RateLimiter(config(lines).rateLimit(), null, clock, registry, beans);
        return limiter;
    }

    /** A rule's MXBean as a JMX client sees it. */
    private static RateLimiterMXBean bean(String rule) {
        return JMX.newMXBeanProxy(ManagementFactory.getPlatformMBeanServer(), ManagementBeans.name("RateLimiter", rule),
                RateLimiterMXBean.class);
    }

    /** The test's routes with these lines. */
    private static GatewayConfig config(String... lines) {
        List<String> all = new ArrayList<>(List.of(
                "gateway.services.up.instances = http://127.0.0.1:9",
                "gateway.routes.api.path = /api/**",
                "gateway.routes.api.service = up",
                "gateway.routes.other.path = /other/**",
                "gateway.routes.other.service = up"));
        all.addAll(List.of(lines));
        return Configs.of(all.toArray(new String[0]));
    }

    private static Caller caller(String route, String ip, Principal p) {
        return new Caller(route, ip, p, name -> null);
    }

    private static Principal user(String sub, String apiKey, String plan, String... roles) {
        return new Principal(sub, apiKey, Set.of(roles), plan);
    }

    /** How many of n requests pass. */
    private int passes(int n, Caller caller) {
        int ok = 0;
        for (int i = 0; i < n; i++) {
            if (limiter.check(caller).isAllowed()) {
                ok++;
            }
        }
        return ok;
    }

    @Test
    void chosenByPlanGoldGetsMoreThanFree() {
        limiter("gateway.rate-limit.rules.gold.limit = 5", "gateway.rate-limit.rules.gold.window = 1m",
                "gateway.rate-limit.rules.gold.key = principal", "gateway.rate-limit.rules.gold.plans = gold",
                "gateway.rate-limit.rules.free.limit = 2", "gateway.rate-limit.rules.free.window = 1m",
                "gateway.rate-limit.rules.free.key = principal", "gateway.rate-limit.rules.free.plans = free",
                "gateway.routes.api.rate-limit = gold, free");
        assertThat(passes(10, caller("api", "10.0.0.1", user("alice", null, "gold")))).isEqualTo(5);
        assertThat(passes(10, caller("api", "10.0.0.1", user("bob", null, "free")))).isEqualTo(2);
        assertThat(passes(10, caller("api", "10.0.0.1", user("carol", null, "free")))).as("own bucket").isEqualTo(2);
        Decision anonymous = limiter.check(caller("api", "10.0.0.1", null));
        assertThat(anonymous).as("no rule applies to an anonymous caller here").isEqualTo(Decision.NONE);
        assertThat(limiter.check(caller("other", "10.0.0.1", user("bob", null, "free")))).isEqualTo(Decision.NONE);
    }

    @Test
    void chosenByRoleAndKeyedByRole() {
        limiter("gateway.rate-limit.rules.staff.limit = 3", "gateway.rate-limit.rules.staff.window = 1m",
                "gateway.rate-limit.rules.staff.key = role", "gateway.rate-limit.rules.staff.roles = admin, ops",
                "gateway.routes.api.rate-limit = staff");
        assertThat(passes(2, caller("api", "10.0.0.1", user("a", null, null, "admin", "reader")))).isEqualTo(2);
        assertThat(passes(5, caller("api", "10.0.0.2", user("b", null, null, "admin")))).as("shares admin's bucket")
                .isEqualTo(1);
        assertThat(passes(5, caller("api", "10.0.0.3", user("c", null, null, "ops")))).isEqualTo(3);
        assertThat(limiter.check(caller("api", "10.0.0.4", user("d", null, null, "reader")))).isEqualTo(Decision.NONE);
    }

    @Test
    void keyedByApiKeyPlanPrincipal() {
        limiter("gateway.rate-limit.rules.by-key.limit = 2", "gateway.rate-limit.rules.by-key.window = 1m",
                "gateway.rate-limit.rules.by-key.key = api-key",
                "gateway.rate-limit.rules.by-plan.limit = 3", "gateway.rate-limit.rules.by-plan.window = 1m",
                "gateway.rate-limit.rules.by-plan.key = plan",
                "gateway.routes.api.rate-limit = by-key", "gateway.routes.other.rate-limit = by-plan");
        assertThat(passes(5, caller("api", "10.0.0.1", user("svc", "key-1", null)))).isEqualTo(2);
        assertThat(passes(5, caller("api", "10.0.0.2", user("svc2", "key-1", null)))).as("same API key").isZero();
        assertThat(passes(5, caller("api", "10.0.0.1", user("svc", "key-2", null)))).as("other API key").isEqualTo(2);
        assertThat(passes(2, caller("other", "10.0.0.1", user("x", null, "team")))).isEqualTo(2);
        assertThat(passes(2, caller("other", "10.0.0.9", user("y", null, "team")))).as("same plan").isEqualTo(1);
    }

    @Test
    void missingIdentityFallsBackToTheClientAddress() {
        limiter("gateway.rate-limit.rules.user.limit = 2", "gateway.rate-limit.rules.user.window = 1m",
                "gateway.rate-limit.rules.user.key = principal",
                "gateway.rate-limit.rules.tenant.limit = 1", "gateway.rate-limit.rules.tenant.window = 1m",
                "gateway.rate-limit.rules.tenant.key = header:X-Tenant",
                "gateway.routes.api.rate-limit = user", "gateway.routes.other.rate-limit = tenant");
        assertThat(passes(5, caller("api", "10.0.0.1", null))).isEqualTo(2);
        assertThat(passes(5, caller("api", "10.0.0.2", null))).isEqualTo(2);
        assertThat(passes(5, caller("api", "10.0.0.1", user("alice", null, null)))).isEqualTo(2);
        Caller acme = new Caller("other", "10.0.0.1", null, name -> name.equals("X-Tenant") ? "acme" : null);
        Caller acmeElsewhere = new Caller("other", "10.0.0.2", null, name -> name.equals("X-Tenant") ? "acme" : null);
        assertThat(passes(3, acme)).isEqualTo(1);
        assertThat(passes(3, acmeElsewhere)).as("same header value, same bucket").isZero();
        assertThat(passes(3, caller("other", "10.0.0.1", null))).as("no header: by address").isEqualTo(1);
    }

    @Test
    void severalRulesAllMustPassAndHeadersReportEach() {
        limiter("gateway.rate-limit.rules.per-second.limit = 2", "gateway.rate-limit.rules.per-second.window = 1s",
                "gateway.rate-limit.rules.per-hour.limit = 3", "gateway.rate-limit.rules.per-hour.window = 1h",
                "gateway.routes.api.rate-limit = per-second, per-hour");
        Caller c = caller("api", "10.0.0.1", null);
        Decision first = limiter.check(c);
        assertThat(RateLimitHeaders.of(first)).containsExactly(
                entry("RateLimit-Policy", "\"per-second\";q=2;w=1, \"per-hour\";q=3;w=3600"),
                entry("RateLimit", "\"per-second\";r=1;t=1, \"per-hour\";r=2;t=3600"),
                entry("X-RateLimit-Limit", "2"), entry("X-RateLimit-Remaining", "1"), entry("X-RateLimit-Reset", "1"));
        limiter.check(c);
        Decision third = limiter.check(c);
        assertThat(third.verdict()).isEqualTo(Verdict.REJECT);
        assertThat(third.retryAfterSeconds()).isEqualTo(1);
        assertThat(RateLimitHeaders.of(third)).containsEntry("RateLimit",
                "\"per-second\";r=0;t=1, \"per-hour\";r=1;t=3600");
        clock.advance(Duration.ofSeconds(1));
        assertThat(limiter.check(c).isAllowed()).as("the rejected request took nothing from per-hour").isTrue();
        clock.advance(Duration.ofSeconds(1));
        Decision hourly = limiter.check(c);
        assertThat(hourly.verdict()).isEqualTo(Verdict.REJECT);
        assertThat(hourly.retryAfterSeconds()).isEqualTo(3598);
        assertThat(RateLimitHeaders.of(hourly)).contains(entry("X-RateLimit-Limit", "3"),
                entry("X-RateLimit-Remaining", "0"), entry("X-RateLimit-Reset", "3598"));
    }

    @Test
    void tokenBucketHeadersStateItsBurstAndFillTime() {
        limiter("gateway.rate-limit.rules.tb.algorithm = token-bucket", "gateway.rate-limit.rules.tb.limit = 1",
                "gateway.rate-limit.rules.tb.window = 2s", "gateway.rate-limit.rules.tb.burst = 5",
                "gateway.routes.api.rate-limit = tb");
        Caller c = caller("api", "10.0.0.1", null);
        assertThat(RateLimitHeaders.of(limiter.check(c))).contains(
                entry("RateLimit-Policy", "\"tb\";q=5;w=10"), entry("RateLimit", "\"tb\";r=4;t=2"));
        assertThat(passes(10, c)).isEqualTo(4);
        clock.advance(Duration.ofSeconds(4));
        assertThat(passes(10, c)).as("refilled 2 tokens in 4 s").isEqualTo(2);
    }

    /**
     * The clock starts on a 10 s boundary, so the counter's fixed windows start at 0, 10 s... Reset and Retry-After
     * are when enough of the previous window's weight has slid out for one more request.
     */
    @Test
    void counterHeadersAndRetryAfterFollowThePreviousWindowsWeight() {
        limiter("gateway.rate-limit.rules.c.algorithm = sliding-window-counter", "gateway.rate-limit.rules.c.limit = 2",
                "gateway.rate-limit.rules.c.window = 10s", "gateway.routes.api.rate-limit = c");
        Caller c = caller("api", "10.0.0.1", null);
        assertThat(RateLimitHeaders.of(limiter.check(c))).contains(
                entry("RateLimit-Policy", "\"c\";q=2;w=10"), entry("RateLimit", "\"c\";r=1;t=10"));
        clock.advance(Duration.ofSeconds(1));
        assertThat(RateLimitHeaders.of(limiter.check(c))).containsEntry("RateLimit", "\"c\";r=0;t=9");
        Decision full = limiter.check(c);
        assertThat(full.verdict()).isEqualTo(Verdict.REJECT);
        assertThat(full.retryAfterSeconds()).as("at the next window, 2 x 0.9999999 < 2").isEqualTo(9);
        clock.advance(Duration.ofSeconds(9));
        Decision next = limiter.check(c);
        assertThat(next.isAllowed()).isTrue();
        assertThat(RateLimitHeaders.of(next)).as("one more once 2 x (1 - e / 10 s) + 1 < 2: at e = 5 s")
                .containsEntry("RateLimit", "\"c\";r=0;t=5");
        Decision again = limiter.check(c);
        assertThat(again.verdict()).isEqualTo(Verdict.REJECT);
        assertThat(again.retryAfterSeconds()).isEqualTo(5);
        clock.advance(Duration.ofMillis(4_999));
        assertThat(limiter.check(c).verdict()).isEqualTo(Verdict.REJECT);
        clock.advance(Duration.ofMillis(1));
        assertThat(limiter.check(c).isAllowed()).isTrue();
    }

    @Test
    void reportOnlyRuleCountsButNeverRejects() {
        limiter("gateway.rate-limit.rules.trial.limit = 1", "gateway.rate-limit.rules.trial.window = 1m",
                "gateway.rate-limit.rules.trial.report-only = true", "gateway.routes.api.rate-limit = trial");
        Caller c = caller("api", "10.0.0.1", null);
        assertThat(passes(3, c)).isEqualTo(3);
        assertThat(RateLimitHeaders.of(limiter.check(c))).containsEntry("RateLimit", "\"trial\";r=0;t=60");
        assertThat(bean("trial").getAllowed()).isEqualTo(1);
        assertThat(bean("trial").getRejected()).isEqualTo(3);
        assertThat(registry.get(RateLimiter.REQUESTS).tags("rule", "trial", "route", "api", "outcome", "reported")
                .counter().count()).isEqualTo(3);
    }

    @Test
    void resetKeyEmptiesOneCallersBucketAndCountsAreKept() {
        limiter("gateway.rate-limit.rules.ip.limit = 1", "gateway.rate-limit.rules.ip.window = 1h",
                "gateway.routes.api.rate-limit = ip");
        Caller a = caller("api", "10.0.0.1", null);
        Caller b = caller("api", "10.0.0.2", null);
        assertThat(passes(2, a)).isEqualTo(1);
        assertThat(passes(2, b)).isEqualTo(1);
        assertThat(bean("ip").resetKey("10.0.0.1")).isEqualTo("emptied 1 bucket(s)");
        assertThat(passes(2, a)).isEqualTo(1);
        assertThat(passes(2, b)).isZero();
        assertThat(bean("ip").getAllowed()).isEqualTo(3);
        assertThat(bean("ip").getRejected()).isEqualTo(5);
        assertThat(registry.get(RateLimiter.REQUESTS).tags("rule", "ip", "route", "api", "outcome", "rejected")
                .counter().count()).isEqualTo(5);
        Map<String, String> none = RateLimitHeaders.of(Decision.NONE);
        assertThat(none).isEmpty();
    }

    /**
     * A reload that changes a rule's limit shows the new limit on the rule's MXBean at once, keeps its counts,
     * and applies it to the next request; a rule the reload removed has no MXBean any more.
     */
    @Test
    void aReloadShowsAKeptRulesNewLimitAndUnregistersARemovedRule() throws Exception {
        try (ManagementBeans management = new ManagementBeans()) {
            GatewayConfig before = config("gateway.rate-limit.rules.ip.limit = 1",
                    "gateway.rate-limit.rules.ip.window = 1h",
                    "gateway.rate-limit.rules.gone.limit = 1", "gateway.rate-limit.rules.gone.window = 1h",
                    "gateway.routes.api.rate-limit = ip", "gateway.routes.other.rate-limit = gone");
            limiter = new RateLimiter(before.rateLimit(), null, clock, registry, management);
            ObjectName ip = ManagementBeans.name("RateLimiter", "ip");
            ObjectName gone = ManagementBeans.name("RateLimiter", "gone");
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            assertThat(server.isRegistered(gone)).isTrue();
            Caller a = caller("api", "10.0.0.1", null);
            assertThat(passes(2, a)).isEqualTo(1);

            limiter.updateRoutes(config("gateway.rate-limit.rules.ip.limit = 3",
                    "gateway.rate-limit.rules.ip.window = 1h", "gateway.routes.api.rate-limit = ip").rateLimit());

            assertThat(server.getAttribute(ip, "Limit")).isEqualTo(3);
            assertThat(server.getAttribute(ip, "Allowed")).as("counts kept").isEqualTo(1L);
            assertThat(server.isRegistered(gone)).isFalse();
            assertThat(passes(3, a)).as("two more within the new limit of 3").isEqualTo(2);
            assertThat(server.isRegistered(gone)).isFalse();
        }
    }
}
