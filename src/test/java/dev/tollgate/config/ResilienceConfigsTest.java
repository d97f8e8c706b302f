package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.testsupport.Configs;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResilienceConfigsTest {
    private static final String[] BASE = {
        "gateway.services.orders.instances = http://10.0.0.5:8080",
        "gateway.services.users.instances = http://10.0.0.6:8080",
        "gateway.routes.orders.path = /orders/**",
        "gateway.routes.orders.service = orders",
    };

    private static GatewayConfig load(String... extra) {
        String[] all = new String[BASE.length + extra.length];
        System.arraycopy(BASE, 0, all, 0, BASE.length);
        System.arraycopy(extra, 0, all, BASE.length, extra.length);
        return Configs.of(all);
    }

    @Test
    void defaultsOpenAfterFiveConsecutiveFailuresForThirtySeconds() {
        ResilienceConfig r = load().upstreams().services().get("orders").resilience();
        assertThat(r.breaker()).isEqualTo(new BreakerConfig(5, 1.0, Duration.ofSeconds(30), 1, Set.of(502, 503, 504)));
        assertThat(r.maxConcurrent()).isEqualTo(100);
        assertThat(r.retry().methods()).containsExactlyInAnyOrder("GET", "HEAD", "OPTIONS", "PUT", "DELETE");
        assertThat(r.retry().budgetRatio()).isEqualTo(0.2);
        RouteConfig route = load().routes().get(0);
        assertThat(route.staleIfError().enabled()).isFalse();
        assertThat(route.staleIfError().publicContent()).isFalse();
    }

    @Test
    void aServiceOverridesTheGlobalDefaults() {
        GatewayConfig c = load("gateway.resilience.breaker.delay = 10s",
                "gateway.services.orders.breaker.delay = 2s",
                "gateway.services.orders.breaker.failure-statuses = 503",
                "gateway.services.orders.bulkhead.max-concurrent = 7",
                "gateway.services.orders.retry.methods = GET",
                "gateway.routes.orders.stale-if-error = true",
                "gateway.routes.orders.stale-if-error-public = true");
        ResilienceConfig orders = c.upstreams().services().get("orders").resilience();
        assertThat(orders.breaker().delay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(orders.breaker().failureStatuses()).containsExactly(503);
        assertThat(orders.maxConcurrent()).isEqualTo(7);
        assertThat(orders.retry().methods()).containsExactly("GET");
        assertThat(c.upstreams().services().get("users").resilience().breaker().delay())
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(c.routes().get(0).staleIfError().enabled()).isTrue();
        assertThat(c.routes().get(0).staleIfError().publicContent()).isTrue();
    }

    @Test
    void unsafeOrInvalidValuesAreRejectedAllAtOnce() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(
                "gateway.services.orders.retry.methods = GET, POST, patch",
                "gateway.services.orders.breaker.failure-statuses = 404, 503",
                "gateway.services.orders.breaker.failure-ratio = 1.5",
                "gateway.resilience.retry.budget-ratio = 0",
                "gateway.services.orders.retry.max-backoff = 1ms",
                "gateway.services.orders.breaker.failure-ratio-typo = 1"));
        assertThat(e.getMessage())
                .contains("gateway.services.orders.retry.methods = \"POST\"")
                .contains("gateway.services.orders.retry.methods = \"patch\"")
                .contains("gateway.services.orders.breaker.failure-statuses = \"404\"")
                .contains("gateway.services.orders.breaker.failure-ratio = \"1.5\"")
                .contains("gateway.services.orders.retry.max-backoff")
                .contains("gateway.services.orders.breaker.failure-ratio-typo: unknown key")
                .doesNotContain("budget-ratio");
    }

    @Test
    void theGuardIsOnUnlessTurnedOffGloballyOrPerService() {
        assertThat(load().upstreams().services().get("orders").resilience().enabled()).isTrue();

        GatewayConfig one = load("gateway.services.orders.resilience.enabled = false");
        assertThat(one.upstreams().services().get("orders").resilience().enabled()).isFalse();
        assertThat(one.upstreams().services().get("users").resilience().enabled()).isTrue();

        GatewayConfig all = load("gateway.resilience.enabled = FALSE",
                "gateway.services.users.resilience.enabled = true");
        assertThat(all.upstreams().services().get("orders").resilience().enabled()).isFalse();
        assertThat(all.upstreams().services().get("users").resilience().enabled()).isTrue();
    }

    @Test
    void anInvalidSwitchFailsStartUpNamingTheKey() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(
                "gateway.resilience.enabled = off",
                "gateway.services.orders.resilience.enabled = no",
                "gateway.services.users.enabled = false"));
        assertThat(e.getMessage())
                .contains("gateway.resilience.enabled = \"off\": expected true or false")
                .contains("gateway.services.orders.resilience.enabled = \"no\": expected true or false")
                .contains("gateway.services.users.enabled: unknown key");
    }

    @Test
    void staleIfErrorNeedsTheServicesGuard() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(
                "gateway.services.orders.resilience.enabled = false",
                "gateway.routes.orders.stale-if-error = true"));
        assertThat(e.getMessage()).contains("gateway.routes.orders.stale-if-error = \"true\": expected false while "
                + "service orders has its guard off");
        assertThat(load("gateway.services.orders.resilience.enabled = false",
                "gateway.routes.orders.stale-if-error = false").routes().get(0).staleIfError().enabled()).isFalse();
    }
}
