package dev.tollgate.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.Configs;
import org.junit.jupiter.api.Test;

class RoutePredicatesTest {
    private final RouteTable table = new RouteTable(Configs.of(
            "gateway.services.s.instances = http://127.0.0.1:1",
            "gateway.routes.orders.path = /api/orders/**",
            "gateway.routes.orders.service = s",
            "gateway.routes.canary.path = /api/orders/**",
            "gateway.routes.canary.match.header.X-Canary = 1",
            "gateway.routes.canary.service = s",
            "gateway.routes.beta.path = /api/orders/**",
            "gateway.routes.beta.match.query.beta = true",
            "gateway.routes.beta.service = s",
            "gateway.routes.gold.path = /api/orders/**",
            "gateway.routes.gold.match.cookie.tier = gold",
            "gateway.routes.gold.service = s",
            "gateway.routes.both.path = /api/orders/**",
            "gateway.routes.both.match.header.X-Canary = 1",
            "gateway.routes.both.match.cookie.tier = gold",
            "gateway.routes.both.service = s",
            "gateway.routes.debug.path = /api/orders/**",
            "gateway.routes.debug.match.header.X-Debug = *",
            "gateway.routes.debug.service = s",
            "gateway.routes.export.path = /api/orders/export",
            "gateway.routes.export.service = s").routes());

    private String match(String path, Facts facts) {
        Route r = table.match("x", "GET", path, facts);
        return r == null ? null : r.name();
    }

    @Test
    void headerPredicateTakesTheRequestsThatCarryTheValue() {
        assertThat(match("/api/orders/7", Facts.withHeaders("X-Canary: 1"))).isEqualTo("canary");
        assertThat(match("/api/orders/7", Facts.withHeaders("x-canary:  1 "))).as("any case, trimmed").isEqualTo("canary");
        assertThat(match("/api/orders/7", Facts.withHeaders("X-Canary: 0"))).isEqualTo("orders");
        assertThat(match("/api/orders/7", Facts.withHeaders("X-Canary: 1, 2"))).as("exact field value").isEqualTo("orders");
        assertThat(match("/api/orders/7", Facts.withHeaders("X-Canary: 0", "X-Canary: 1"))).as("any field")
                .isEqualTo("canary");
        assertThat(match("/api/orders/7", Facts.withHeaders())).isEqualTo("orders");
    }

    @Test
    void queryPredicateDecodesNamesAndValues() {
        assertThat(match("/api/orders", Facts.of("beta=true"))).isEqualTo("beta");
        assertThat(match("/api/orders", Facts.of("a=1&b%65ta=tru%65"))).isEqualTo("beta");
        assertThat(match("/api/orders", Facts.of("beta=false&beta=true"))).isEqualTo("beta");
        assertThat(match("/api/orders", Facts.of("beta=TRUE"))).as("values are case-sensitive").isEqualTo("orders");
        assertThat(match("/api/orders", Facts.of("xbeta=true"))).isEqualTo("orders");
        assertThat(match("/api/orders", Facts.of("beta"))).isEqualTo("orders");
        assertThat(match("/api/orders", Facts.of(null))).isEqualTo("orders");
    }

    @Test
    void cookiePredicateReadsTheCookieHeader() {
        assertThat(match("/api/orders", Facts.withHeaders("Cookie: session=abc; tier=gold"))).isEqualTo("gold");
        assertThat(match("/api/orders", Facts.withHeaders("Cookie: a=1", "Cookie: tier=\"gold\""))).isEqualTo("gold");
        assertThat(match("/api/orders", Facts.withHeaders("Cookie: tier=golden"))).isEqualTo("orders");
        assertThat(match("/api/orders", Facts.withHeaders("Cookie: xtier=gold"))).isEqualTo("orders");
        assertThat(match("/api/orders", Facts.withHeaders("X-Tier: gold"))).isEqualTo("orders");
    }

    @Test
    void presenceOnlyPredicateTakesAnyValue() {
        assertThat(match("/api/orders", Facts.withHeaders("X-Debug: yes"))).isEqualTo("debug");
        assertThat(match("/api/orders", Facts.withHeaders("X-Debug: "))).isEqualTo("debug");
    }

    @Test
    void morePredicatesBeatFewer() {
        assertThat(match("/api/orders", Facts.withHeaders("X-Canary: 1", "Cookie: tier=gold"))).isEqualTo("both");
    }

    @Test
    void exactValueBeatsPresenceOnlyAmongEquallyManyPredicates() {
        assertThat(match("/api/orders", Facts.withHeaders("X-Canary: 1", "X-Debug: 1"))).isEqualTo("canary");
    }

    @Test
    void equallySpecificPredicateRoutesAreOrderedByName() {
        assertThat(match("/api/orders", Facts.of("beta=true", "Cookie: tier=gold"))).isEqualTo("beta");
    }

    @Test
    void pathSpecificityComesBeforePredicates() {
        assertThat(match("/api/orders/export", Facts.withHeaders("X-Canary: 1"))).isEqualTo("export");
    }

    @Test
    void withoutFactsPredicateRoutesNeverMatch() {
        assertThat(table.match("x", "GET", "/api/orders")).extracting(Route::name).isEqualTo("orders");
        assertThat(table.hasPredicates()).isTrue();
    }

    @Test
    void tableWithoutPredicatesSaysSo() {
        RouteTable plain = new RouteTable(Configs.withApiRoute().routes());
        assertThat(plain.hasPredicates()).isFalse();
    }
}
