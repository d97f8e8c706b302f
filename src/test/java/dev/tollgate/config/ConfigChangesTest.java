package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.management.ReloadReport;
import dev.tollgate.testsupport.Configs;
import org.junit.jupiter.api.Test;

class ConfigChangesTest {
    private static final String[] BASE = {
            "gateway.services.a.instances = http://127.0.0.1:9",
            "gateway.routes.r.path = /r/**", "gateway.routes.r.service = a",
            "gateway.rate-limit.rules.slow.limit = 5", "gateway.rate-limit.rules.slow.window = 1m",
            "gateway.routes.r.rate-limit = slow"};

    private static GatewayConfig config(String... extra) {
        String[] all = new String[BASE.length + extra.length];
        System.arraycopy(BASE, 0, all, 0, BASE.length);
        System.arraycopy(extra, 0, all, BASE.length, extra.length);
        return Configs.of(all);
    }

    @Test
    void namesWhatWasAddedRemovedAndChangedPerKind() {
        GatewayConfig before = config("gateway.services.b.instances = http://127.0.0.1:8",
                "gateway.auth.api-keys.old.sha256 = " + "AB".repeat(32), "gateway.auth.api-keys.old.owner = o");
        GatewayConfig after = Configs.of(
                "gateway.services.a.instances = http://127.0.0.1:7",
                "gateway.services.c.instances = http://127.0.0.1:6",
                "gateway.routes.r.path = /r/**", "gateway.routes.r.service = a",
                "gateway.routes.s.path = /s/**", "gateway.routes.s.service = c",
                "gateway.rate-limit.rules.slow.limit = 50", "gateway.rate-limit.rules.slow.window = 1m",
                "gateway.routes.r.rate-limit = slow",
                "gateway.auth.api-keys.new.sha256 = " + "CD".repeat(32), "gateway.auth.api-keys.new.owner = n");
        ConfigChanges.Diff d = ConfigChanges.diff(before, after);
        assertThat(d.of("routes").added()).containsExactly("s");
        assertThat(d.of("routes").changed()).isEmpty();
        assertThat(d.of("services")).isEqualTo(new ConfigChanges.Change(
                java.util.List.of("c"), java.util.List.of("b"), java.util.List.of("a")));
        assertThat(d.of("rules").changed()).containsExactly("slow");
        assertThat(d.of("api-keys").added()).containsExactly("new");
        assertThat(d.of("api-keys").removed()).containsExactly("old");
        assertThat(d.restart()).isEmpty();

        String text = ReloadReport.text(d, 2);
        assertThat(text).startsWith("2 routes; routes: added [s], removed [], changed []")
                .contains("services: added [c], removed [b], changed [a]")
                .contains("rules: added [], removed [], changed [slow]")
                .contains("api-keys: added [new], removed [old], changed []")
                .doesNotContain("CDCD").doesNotContain("needs a restart");
    }

    @Test
    void anUnchangedConfigurationSaysSo() {
        ConfigChanges.Diff d = ConfigChanges.diff(config(), config());
        assertThat(d.isEmpty()).isTrue();
        assertThat(ReloadReport.text(d, 1)).isEqualTo("1 routes; nothing changed");
    }

    @Test
    void processWideKeysNeedARestartAndSecretsStayHidden() {
        GatewayConfig before = config("gateway.services.c.discovery = consul");
        GatewayConfig after = config("gateway.services.c.discovery = consul",
                "gateway.services.c.consul.service = other",
                "gateway.http-client.max-connections = 8",
                "gateway.http-client.io-threads = 2",
                "gateway.redis.uri = redis://:hunter2-password@127.0.0.1:6390",
                "gateway.consul.address = http://127.0.0.1:8501",
                "gateway.rate-limit.rules.slow.limit = 7");
        assertThat(ConfigChanges.needingRestart(before, after))
                .anySatisfy(l -> assertThat(l).isEqualTo(
                        "gateway.http-client.io-threads: changed from \"0\" to \"2\"; needs a restart"))
                .anySatisfy(l -> assertThat(l).startsWith("gateway.redis.uri:"))
                .noneSatisfy(l -> assertThat(l).contains("gateway.consul."))
                .noneSatisfy(l -> assertThat(l).contains("hunter2"))
                .noneSatisfy(l -> assertThat(l).contains("gateway.services."))
                .noneSatisfy(l -> assertThat(l).contains("max-connections"))
                .noneSatisfy(l -> assertThat(l).contains("rate-limit.rules"));
        assertThat(ReloadReport.text(ConfigChanges.diff(before, after), 1))
                .contains("needs a restart (running value kept): ").contains("gateway.http-client.io-threads")
                .contains("services: added [], removed [], changed [c]");
    }

    @Test
    void theRateLimitersTuningReloadsButItsShapeNeedsARestart() {
        GatewayConfig before = config("gateway.rate-limit.instances = 3");
        assertThat(ConfigChanges.needingRestart(before, config("gateway.rate-limit.instances = 5",
                "gateway.rate-limit.batch-size = 8", "gateway.rate-limit.batches-in-flight = 4",
                "gateway.rate-limit.prefetch = 16", "gateway.rate-limit.prefetch-time = 20ms"))).isEmpty();
        assertThat(ConfigChanges.needingRestart(before, config("gateway.rate-limit.instances = 0",
                "gateway.rate-limit.prefetch = 0", "gateway.rate-limit.policy = redis",
                "gateway.redis.uri = redis://127.0.0.1:6390")))
                .anySatisfy(l -> assertThat(l).startsWith("gateway.rate-limit.instances: changed from \"3\""))
                .anySatisfy(l -> assertThat(l).startsWith("gateway.rate-limit.prefetch: changed from \"64\""))
                .anySatisfy(l -> assertThat(l).startsWith("gateway.rate-limit.policy:"));
    }

    @Test
    void consulServicesAndServicesWithHealthChecksReload() {
        GatewayConfig after = Configs.of(
                "gateway.services.a.discovery = consul",
                "gateway.routes.r.path = /r/**", "gateway.routes.r.service = a",
                "gateway.rate-limit.rules.slow.limit = 5", "gateway.rate-limit.rules.slow.window = 1m",
                "gateway.routes.r.rate-limit = slow");
        assertThat(ConfigChanges.needingRestart(config(), after)).isEmpty();
        assertThat(ConfigChanges.diff(config(), after).of("services").changed()).containsExactly("a");
        assertThat(ConfigChanges.needingRestart(config(), config("gateway.services.a.health-check.path = /healthz")))
                .isEmpty();
    }

    @Test
    void identityProvidersReloadAndTheDefaultOneIsNamedForTheJwtKeys() {
        String secret = "gateway.auth.providers.p.keys.k.secret = provider-secret-0123456789abcdef";
        GatewayConfig before = config("gateway.auth.providers.p.keys.k.algorithm = HS256", secret,
                "gateway.auth.providers.p.issuer = https://p.example/");
        GatewayConfig after = config("gateway.auth.providers.p.keys.k.algorithm = HS256", secret,
                "gateway.auth.providers.p.issuer = https://p.example/", "gateway.auth.providers.p.audience = orders",
                "gateway.auth.providers.q.keys.k.algorithm = HS256",
                "gateway.auth.providers.q.keys.k.secret = other-secret-0123456789abcdef0123",
                "gateway.auth.providers.q.issuer = https://q.example/", "gateway.auth.jwt.max-token-size = 4096");
        assertThat(ConfigChanges.needingRestart(before, after)).isEmpty();
        ConfigChanges.Change providers = ConfigChanges.diff(before, after).of("providers");
        assertThat(providers.added()).containsExactly("q");
        assertThat(providers.changed()).containsExactly("default", "p");
        assertThat(ReloadReport.text(ConfigChanges.diff(before, after), 1)).doesNotContain("secret-0123");
        assertThat(ConfigChanges.needingRestart(before, config("gateway.auth.cache.max-entries = 10",
                "gateway.auth.cache.negative-ttl = 1s", "gateway.auth.headers.user-id = X-Caller"))).isEmpty();
    }

    @Test
    void theTokenCachesPolicyNeedsARestartAndWithItTheApiKeysRedisLookup() {
        String redis = "gateway.redis.uri = redis://127.0.0.1:6390";
        GatewayConfig local = config(redis);
        GatewayConfig shared = config(redis, "gateway.auth.cache = redis");
        GatewayConfig lookup = config(redis, "gateway.auth.cache = redis", "gateway.auth.api-key.redis-lookup = true");
        assertThat(ConfigChanges.needingRestart(local, lookup)).containsExactly(
                "gateway.auth.api-key.redis-lookup: changed from \"false\" to \"true\"; needs a restart",
                "gateway.auth.cache: changed from \"local\" to \"redis\"; needs a restart");
        assertThat(ConfigChanges.needingRestart(shared, lookup)).as("Redis in use since start-up").isEmpty();
        assertThat(ConfigChanges.needingRestart(shared, config(redis, "gateway.auth.cache = redis",
                "gateway.auth.cache.redis-timeout = 1s"))).as("its client's timeout reloads").isEmpty();
    }
}
