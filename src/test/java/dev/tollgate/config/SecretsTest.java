package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SecretsTest {
    private final Secrets secrets = Secrets.declared();

    @ParameterizedTest
    @ValueSource(strings = {"gateway.admin.token", "gateway.consul.token", "gateway.auth.jwt.keys.k1.secret",
        "gateway.auth.api-keys.ops.sha256", "gateway.routes.orders.request-headers.set.Authorization",
        "gateway.routes.orders.request-headers.add.cookie", " gateway.admin.token "})
    void declaredSecretKeysAreSecrets(String key) {
        assertThat(secrets.isSecret(key)).isTrue();
        assertThat(secrets.shown(key, "anything")).isEqualTo("****");
    }

    /** Names with "key", "token" or "secret" in them are not secrets unless declared. */
    @ParameterizedTest
    @ValueSource(strings = {"gateway.auth.api-key.header", "gateway.auth.jwt.max-token-size",
        "gateway.auth.api-key.redis-lookup", "gateway.auth.jwt.keys.k1.algorithm", "gateway.auth.api-keys.ops.owner",
        "gateway.routes.orders.request-headers.set.X-Authorization-Mode", "gateway.auth.jwt.keys.a.b.secret",
        "gateway.redis.uri"})
    void otherKeysAreNot(String key) {
        assertThat(secrets.isSecret(key)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "redis://user:pw@host:6379/0                   | redis://****@host:6379/0",
        "redis://:pw@a:1,redis://:pw@b:2               | redis://****@a:1,redis://****@b:2",
        "rediss://u:p/w@x@host                         | rediss://****@host",
        "https://u:p,q@idp/jwks                        | https://****@idp/jwks",
        "redis://host:6379                             | redis://host:6379",
        "pw@host:1                                     | ****@host:1",
        "x@y http://h/                                 | ****@y http://h/",
        "plain value                                   | plain value",
    })
    void userInfoIsMaskedEvenInMalformedUris(String value, String shown) {
        assertThat(Secrets.withoutUserInfo(value)).isEqualTo(shown);
        assertThat(secrets.shown("gateway.redis.uri", value)).isEqualTo(shown);
    }

    @Test
    void theSummaryGroupsSiblingKeysOnALineAndMasksOnlySecrets() {
        List<String> lines = ConfigSummary.lines(Map.of(
                "gateway.admin.token", "0123456789abcdef0123456789",
                "gateway.admin.port", "8081",
                "gateway.admin.allowed-addresses", "127.0.0.1/32, ::1/128",
                "gateway.consul.token", "",
                "gateway.forwarding.via", "a\\b\"c",
                "gateway.auth.api-key.header", "X-API-Key",
                "gateway.auth.jwt.max-token-size", "8KiB",
                "gateway.auth.jwt.issuer", "",
                "gateway.redis.uri", "redis://app:pw@redis:6379"));
        assertThat(lines).containsExactly(
                "gateway.admin: allowed-addresses=\"127.0.0.1/32, ::1/128\" port=8081 token=****",
                "gateway.auth.api-key: header=X-API-Key",
                "gateway.auth.jwt: issuer=\"\" max-token-size=8KiB",
                "gateway.consul: token=\"\"",
                "gateway.forwarding: via=\"a\\\\b\\\"c\"",
                "gateway.redis: uri=redis://****@redis:6379");
    }

    @Test
    void theNearestKnownKeyIsAtMostTwoEditsAway() {
        Set<String> known = Set.of("gateway.admin.token", "gateway.admin.port", "gateway.consul.token");
        assertThat(KeyDistance.nearest("gateway.admin.tokn", known)).isEqualTo("gateway.admin.token");
        assertThat(KeyDistance.nearest("gateway.admin.toekn", known)).isEqualTo("gateway.admin.token");
        assertThat(KeyDistance.nearest("gateway.admin.tkoen", known)).isEqualTo("gateway.admin.token");
        assertThat(KeyDistance.nearest("gateway.admin.bearer", known)).isNull();
    }
}
