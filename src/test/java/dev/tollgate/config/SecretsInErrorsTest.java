package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A rejected configuration names the key but never echoes a secret: not by a declared key, not in a URI. */
class SecretsInErrorsTest {
    private static final String SECRET = "s3cr3t-Value-that-must-not-leak";

    private static ConfigException rejected(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        m.put("gateway.services.s.instances", "http://10.0.0.5:8080");
        m.put("gateway.routes.orders.path", "/api/orders/**");
        m.put("gateway.routes.orders.service", "s");
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(null, null, m, Map.of()));
        assertThat(e).as("expected a ConfigException").isNotNull();
        return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gateway.admin.tokn", "gateway.admin.tokens", "gateway.consul.tokem",
        "gateway.auth.jwt.keys.k1.secrte", "gateway.redis.url", "gateway.totally-unknown"})
    void anUnknownKeyIsNamedButItsValueIsNotShown(String key) {
        ConfigException e = rejected(key, SECRET);
        assertThat(e.getMessage()).contains(key).doesNotContain(SECRET).doesNotContain("s3cr3t");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "gateway.admin.tokn   | gateway.admin.token",
        "gateway.consul.tokem | gateway.consul.token",
        "gateway.redis.url    | gateway.redis.uri",
    })
    void anUnknownKeyNearAKnownOneSuggestsIt(String key, String known) {
        assertThat(rejected(key, SECRET).problems()).containsExactly(key + ": unknown key (did you mean " + known + "?)");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "redis://user:" + SECRET + "@",
        "redis://user:" + SECRET + "@redis host:6379",
        "redis://user:" + SECRET + "@redis:6379/db",
        "redis://user:s3cr3t/with/slashes@redis:6379",
        "redis://user:s3cr3t@with@ats@redis:6379/x",
        "redis://:s3cr3t@redis:6379,redis://:s3cr3t@other:6379",
        "http://user:s3cr3t@redis:6379",
    })
    void aMalformedRedisUriNeverShowsItsUserInfo(String uri) {
        ConfigException e = rejected("gateway.redis.uri", uri);
        assertThat(e.getMessage()).contains("gateway.redis.uri").doesNotContain("s3cr3t").doesNotContain("user");
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "true"})
    void aMalformedClusterSeedNeverShowsItsUserInfo(String cluster) {
        ConfigException e = rejected("gateway.redis.cluster", cluster,
                "gateway.redis.uri", "redis://u:s3cr3t@a:1/2, redis://u:s3cr3t,x@b:1");
        assertThat(e.getMessage()).contains("gateway.redis.uri").doesNotContain("s3cr3t");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "gateway.auth.api-keys.ops.sha256                        | the-raw-api-key-s3cr3t",
        "gateway.routes.orders.request-headers.set.Authorization | Basic s3\u0001cr3t",
        "gateway.services.s.instances                            | http://u:s3cr3t@10.0.0.5:8080/x?y",
        "gateway.auth.jwt.jwks-uri                               | https://u:s3cr3t@idp/jwks#f",
        "gateway.consul.address                                  | http://acl:s3cr3t@consul:8500/v1",
    })
    void aRejectedValueOfADeclaredSecretOrWithUserInfoIsMasked(String key, String value) {
        ConfigException e = key.contains(".api-keys.")
                ? rejected(key, value, "gateway.auth.api-keys.ops.owner", "ops") : rejected(key, value);
        assertThat(e.getMessage()).contains(key).doesNotContain("s3cr3t");
    }
}
