package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.testsupport.Configs;
import dev.tollgate.testsupport.Jwts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up validation of {@code gateway.auth.*} and the routes' {@code auth} keys. */
class AuthConfigsTest {
    @TempDir
    Path dir;

    private static String[] lines(String... extra) {
        List<String> all = new ArrayList<>(List.of("gateway.services.s.instances = http://10.0.0.5:8080",
                "gateway.routes.orders.path = /api/**", "gateway.routes.orders.service = s"));
        all.addAll(List.of(extra));
        return all.toArray(new String[0]);
    }

    private static List<String> problems(String... extra) {
        return catchThrowableOfType(ConfigException.class, () -> Configs.of(lines(extra))).problems();
    }

    @Test
    void defaultsAreLocalWithTheDocumentedHeaders() {
        GatewayConfig c = Configs.of(lines());
        assertThat(c.auth().cache()).isEqualTo(AuthConfig.CacheKind.LOCAL);
        assertThat(c.auth().jwt().maxTokenSize()).isEqualTo(8192);
        assertThat(c.auth().apiKeys().header()).isEqualTo("X-API-Key");
        assertThat(c.auth().headers().names()).containsExactly("X-User-Id", "X-User-Roles", "X-User-Scopes",
                "X-User-Plan", "X-Auth-Method", "X-Api-Key-Owner");
        assertThat(c.routes().get(0).auth()).isEqualTo(AuthConfig.RouteAuth.NONE);
    }

    @Test
    void jwtRouteWithoutKeySourceNamesTheKey() {
        assertThat(problems("gateway.routes.orders.auth = jwt")).containsExactly("gateway.routes.orders.auth = \"jwt\": "
                + "expected a key source: gateway.auth.jwt.jwks-uri or gateway.auth.jwt.keys.<kid>.*");
    }

    @Test
    void redisCacheWithoutRedisIsAnError() {
        assertThat(problems("gateway.auth.cache = redis")).containsExactly(
                "gateway.auth.cache = \"redis\": expected local, or gateway.redis.uri to be set for redis");
        assertThat(Configs.of(lines("gateway.auth.cache = redis", "gateway.redis.uri = redis://127.0.0.1:6379"))
                .auth().usesRedis()).isTrue();
    }

    @Test
    void refusesWeakOrMismatchedKeys() {
        List<String> p = problems("gateway.auth.jwt.keys.a.algorithm = HS256", "gateway.auth.jwt.keys.a.secret = short",
                "gateway.auth.jwt.keys.b.algorithm = ES384",
                "gateway.auth.jwt.keys.b.public-key = " + Jwts.pem(Jwts.ec(256).getPublic()).replace("\n", ""),
                "gateway.auth.jwt.keys.c.algorithm = none", "gateway.auth.jwt.keys.d.algorithm = RS256",
                "gateway.auth.jwt.keys.d.public-key = bm90IGEga2V5");
        assertThat(p).hasSize(4);
        assertThat(p.get(0)).startsWith("gateway.auth.jwt.keys.a.secret = \"****\": expected at least 32 bytes");
        assertThat(p.get(1)).startsWith("gateway.auth.jwt.keys.b.public-key = ").contains("EC key on the curve of ES384");
        assertThat(p.get(2)).startsWith("gateway.auth.jwt.keys.c.algorithm = \"NONE\": expected one of");
        assertThat(p.get(3)).startsWith("gateway.auth.jwt.keys.d.public-key = \"bm90IGEga2V5\"");
    }

    @Test
    void readsPemFilesApiKeysAndRoutePolicy() throws Exception {
        Path pem = dir.resolve("k.pem");
        Files.writeString(pem, Jwts.pem(Jwts.rsa().getPublic()));
        GatewayConfig c = Configs.of(lines("gateway.auth.jwt.keys.k1.algorithm = RS256",
                "gateway.auth.jwt.keys.k1.public-key-file = " + pem,
                "gateway.auth.api-keys.p.sha256 = " + "AB".repeat(32), "gateway.auth.api-keys.p.owner = acme",
                "gateway.routes.orders.auth = jwt-or-api-key", "gateway.routes.orders.auth.roles = a, b",
                "gateway.routes.orders.auth.scopes = orders:read", "gateway.routes.orders.auth.hide-credentials = true",
                "gateway.auth.headers.plan ="));
        assertThat(c.auth().jwt().keys()).extracting(AuthConfig.StaticKey::kid).containsExactly("k1");
        assertThat(c.auth().apiKeys().keys().get(0).owner()).isEqualTo("acme");
        assertThat(c.routes().get(0).auth()).isEqualTo(new AuthConfig.RouteAuth(AuthConfig.Policy.JWT_OR_API_KEY,
                java.util.Set.of("a", "b"), java.util.Set.of("orders:read"), true));
        assertThat(c.auth().headers().plan()).isEmpty();
    }

    @Test
    void reportsBadPolicyAndApiKeyHash() {
        assertThat(problems("gateway.routes.orders.auth = oauth", "gateway.auth.api-keys.p.sha256 = abc",
                "gateway.auth.api-keys.p.owner = acme")).containsExactly(
                "gateway.auth.api-keys.p.sha256 = \"****\": expected the 64 hex digits of the key's SHA-256 "
                        + "(e.g. printf %s KEY | sha256sum)",
                "gateway.routes.orders.auth = \"oauth\": expected none, jwt, api-key or jwt-or-api-key");
    }
}
