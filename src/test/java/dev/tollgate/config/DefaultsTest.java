package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.testsupport.Configs;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Defaults come from defaults.properties alone: its keys, and its templates for the named sections. */
class DefaultsTest {
    private static final String R = "gateway.routes.orders.";

    /** One section of every kind, each with its optional parts, so that the loader reads every key it knows. */
    private static final String[] EVERY_KIND = {
        "gateway.services.up.instances = http://127.0.0.1:9",
        "gateway.services.up.health-check.path = /health",
        "gateway.services.up.health-check.interval = 1s",
        "gateway.services.c.discovery = consul",
        "gateway.services.c.consul.tags = blue",
        "gateway.routes.api.path = /api/**",
        "gateway.routes.api.service = up",
        "gateway.routes.api.rate-limit = per-ip",
        R + "path = /orders/**",
        R + "services = up:9, c:1",
        R + "sticky-by = principal",
        R + "auth = jwt",
        R + "auth.providers = idp",
        R + "claim-headers.X-Tenant = tenant",
        R + "cors.allowed-origins = https://app.example.com",
        R + "websocket = true",
        R + "match.header.X-Beta = 1",
        "gateway.routes.keys.path = /keys/**",
        "gateway.routes.keys.service = c",
        "gateway.routes.keys.auth = api-key",
        "gateway.rate-limit.rules.per-ip.limit = 10",
        "gateway.rate-limit.rules.per-ip.window = 1s",
        "gateway.auth.jwt.jwks-uri = https://idp.example.com/jwks",
        "gateway.auth.jwt.issuer = https://idp.example.com",
        "gateway.auth.providers.idp.jwks-uri = https://other.example.com/jwks",
        "gateway.auth.providers.idp.issuer = https://other.example.com",
        "gateway.auth.providers.idp.introspection.uri = https://other.example.com/introspect",
        "gateway.auth.providers.idp.introspection.client-id = gateway",
        "gateway.auth.providers.idp.introspection.client-secret = s3cret",
        "gateway.auth.api-keys.k.sha256 = " + "AB".repeat(32),
        "gateway.auth.api-keys.k.owner = acme",
    };

    @Test
    void everyKeyTheLoaderReadsHasADefault() {
        // a key read without a default would throw IllegalStateException here
        GatewayConfig c = Configs.of(EVERY_KIND);

        assertThat(c.routes()).extracting(RouteConfig::name).containsExactly("api", "keys", "orders");
        assertThat(c.rateLimit().rules()).containsKey("per-ip");
        assertThat(c.auth().providers()).containsKeys(AuthConfig.DEFAULT_PROVIDER, "idp");
    }

    @Test
    void namedSectionsTakeTheTemplatesDefaults() {
        GatewayConfig c = Configs.of(EVERY_KIND);

        RouteConfig api = c.routes().get(0);
        assertThat(api.target().preserveHost()).isFalse();
        assertThat(api.auth().policy()).isEqualTo(AuthConfig.Policy.NONE);
        assertThat(api.staleIfError().enabled()).isFalse();
        assertThat(api.websocket().enabled()).isFalse();
        ServiceConfig up = c.upstreams().services().get("up");
        assertThat(up.discovery()).isEqualTo(ServiceConfig.Discovery.STATIC);
        assertThat(up.loadBalancer()).isEqualTo(LoadBalancing.ROUND_ROBIN);
        assertThat(up.healthCheck().timeout()).as("the default, at most the interval").isEqualTo(Duration.ofSeconds(1));
        assertThat(up.healthCheck().healthyThreshold()).isEqualTo(2);
        assertThat(up.healthCheck().unhealthyThreshold()).isEqualTo(3);
        assertThat(up.healthCheck().expects(399)).isTrue();
        assertThat(up.healthCheck().expects(400)).isFalse();
        ServiceConfig consul = c.upstreams().services().get("c");
        assertThat(consul.loadBalancer()).isEqualTo(LoadBalancing.LEAST_REQUEST);
        assertThat(consul.consul().scheme()).isEqualTo("http");
        assertThat(consul.consul().service()).isEqualTo("c");
        RateLimitRule rule = c.rateLimit().rules().get("per-ip");
        assertThat(rule.algorithm()).isEqualTo(RateLimitRule.Algorithm.SLIDING_WINDOW);
        assertThat(rule.key()).isEqualTo(RateLimitRule.Key.IP);
        assertThat(rule.failurePolicy()).isEqualTo(RateLimitRule.FailurePolicy.LOCAL_FALLBACK);
        assertThat(rule.burst()).isEqualTo(10);
        AuthConfig.Provider idp = c.auth().providers().get("idp");
        assertThat(idp.jwt().leeway()).isEqualTo(Duration.ofSeconds(30));
        assertThat(idp.jwt().scopesClaims()).containsExactly("scope", "scp");
        assertThat(idp.jwt().requiredClaims()).isEmpty();
        assertThat(idp.introspection().timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(idp.introspection().allTokens()).isFalse();
    }

    @Test
    void templatesAreNeitherShownNorNamedSections() {
        GatewayConfig c = Configs.of(EVERY_KIND);

        assertThat(c.effective().keySet()).noneMatch(k -> k.contains("*"));
        assertThat(c.effective()).doesNotContainKey(R + "preserve-host");
        assertThat(ConfigSummary.lines(c.effective())).noneMatch(l -> l.contains("*."));
    }

    @Test
    void anEnvironmentVariableSetsNoKeyThatOnlyATemplateGives() {
        Map<String, String> system = Map.of("gateway.services.s.instances", "http://127.0.0.1:9",
                R + "path", "/orders/**", R + "service", "s");
        GatewayConfig c = ConfigLoader.load(null, null, system,
                Map.of("GATEWAY_ROUTES_ORDERS_PRESERVE_HOST", "true", "GATEWAY_ROUTES___PRESERVE_HOST", "true"));

        assertThat(c.routes().get(0).target().preserveHost()).isFalse();
    }

    @Test
    void aReadWithoutADefaultIsAProgrammingError() {
        Settings s = new Settings(Map.of(), Map.of());

        assertThatThrownBy(() -> s.bool("gateway.nothing.here")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no default for gateway.nothing.here");
        assertThatThrownBy(() -> s.positiveDuration("gateway.nothing.here"))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aTemplateStandsForExactlyOneName() {
        Settings s = new Settings(Map.of("gateway.routes.a.preserve-host", "true"),
                Map.of("gateway.routes.*.preserve-host", "false"));

        assertThat(s.bool("gateway.routes.a.preserve-host")).isTrue();
        assertThat(s.bool("gateway.routes.b.preserve-host")).isFalse();
        assertThatThrownBy(() -> s.bool("gateway.routes.b.c.preserve-host")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> s.bool("gateway.routes..preserve-host")).isInstanceOf(IllegalStateException.class);
        assertThat(s.names("gateway.routes.")).containsExactly("a");
    }

    @Test
    void aBlankValueTakesTheDefault() {
        Settings s = new Settings(Map.of("gateway.routes.a.preserve-host", " ", "gateway.x.list", ""),
                Map.of("gateway.routes.*.preserve-host", "true", "gateway.x.list", "a, b"));

        assertThat(s.bool("gateway.routes.a.preserve-host")).isTrue();
        assertThat(s.listOrDefault("gateway.x.list")).as("set, to none").isEmpty();
        assertThatThrownBy(() -> s.listOrDefault("gateway.y.list")).isInstanceOf(IllegalStateException.class);
    }
}
