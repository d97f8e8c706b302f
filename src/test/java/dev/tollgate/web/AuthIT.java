package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.JwksServer;
import dev.tollgate.testsupport.Jwts;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.RawHttp;
import dev.tollgate.testsupport.RecordingAppender;
import dev.tollgate.testsupport.RedisServer;
import dev.tollgate.testsupport.UpstreamServer;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

/**
 * Authentication through the real WAR: a JWKS served by a JDK HttpServer, a real redis-server as level 2,
 * a real upstream that echoes what it received.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Tag("redis")
class AuthIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final KeyPair FIRST = Jwts.rsa();
    private static final KeyPair SECOND = Jwts.rsa();
    private static final String API_KEY = "it-key-5d1c9a";
    private static RecordingAppender log;
    private static UpstreamServer upstream;
    private static JwksServer jwks;
    private static RedisServer redis;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        // everything the gateway logs is kept, to prove no token is ever written there
        log = RecordingAppender.attach("dev.tollgate", "%level %logger %msg%n");
        upstream = new UpstreamServer("app");
        jwks = new JwksServer(Jwts.jwks(Jwts.jwk("first", FIRST.getPublic(), "RS256")));
        redis = RedisServer.startNew();
        String keyHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(API_KEY.getBytes(StandardCharsets.UTF_8)));
        return GatewayDeployment.war(String.join("\n",
                "gateway.limits.reject-underscore-headers = false",
                "gateway.redis.uri = " + redis.uri(),
                "gateway.redis.retry-interval = 200ms",
                "gateway.auth.cache = redis",
                "gateway.auth.jwt.jwks-uri = " + jwks.uri(),
                "gateway.auth.jwt.jwks-min-refetch-interval = 1s",
                "gateway.auth.jwt.max-token-size = 2KB",
                "gateway.auth.api-keys.partner.sha256 = " + keyHash,
                "gateway.auth.api-keys.partner.owner = acme",
                "gateway.services.app.instances = " + upstream.uri(),
                "gateway.routes.open.path = /open/**",
                "gateway.routes.open.service = app",
                "gateway.routes.orders.path = /orders/**",
                "gateway.routes.orders.service = app",
                "gateway.routes.orders.auth = jwt",
                "gateway.routes.orders.auth.scopes = orders:read",
                "gateway.routes.partner.path = /partner/**",
                "gateway.routes.partner.service = app",
                "gateway.routes.partner.auth = api-key",
                "gateway.routes.partner.auth.hide-credentials = true",
                "gateway.routes.either.path = /either/**",
                "gateway.routes.either.service = app",
                "gateway.routes.either.auth = jwt-or-api-key"));
    }

    @AfterAll
    static void stop() throws Exception {
        log.detach("dev.tollgate");
        upstream.close();
        jwks.close();
        redis.close();
    }

    private static String token(KeyPair key, String kid, String subject, String scope) {
        Instant now = Instant.now();
        return Jwts.claims(kid, now, subject).withExpiresAt(now.plus(Duration.ofMinutes(10)))
                .withClaim("scope", scope).withClaim("roles", List.of("reader")).sign(Jwts.rs256(key));
    }

    private String get(String path, String... headers) throws Exception {
        return RawHttp.get(base, path, headers);
    }

    private static JsonNode body(String response) throws Exception {
        return JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
    }

    @Test
    void missingTokenIs401InvalidTokenProblem() throws Exception {
        String r = get("/orders/1");
        assertThat(RawHttp.status(r)).isEqualTo(401);
        // error="invalid_token" on every 401, past RFC 6750 section 3.1's SHOULD NOT
        assertThat(r).contains("WWW-Authenticate: Bearer realm=\"tollgate\", error=\"invalid_token\", "
                + "error_description=\"No bearer token was sent.\"\r\n")
                .contains("Content-Type: application/problem+json");
        assertThat(body(r).get("status").asInt()).isEqualTo(401);
    }

    @Test
    void basicAuthorizationDoesNotHideTheApiKeyOnEitherRoutes() throws Exception {
        String r = get("/either/x", "Authorization: Basic YWxpY2U6cHc=", "X-API-Key: " + API_KEY);
        assertThat(RawHttp.status(r)).as(r).isEqualTo(200);
        UpstreamServer.Seen seen = upstream.last();
        assertThat(seen.header("X-Auth-Method")).isEqualTo("api-key");
        assertThat(seen.header("X-User-Id")).isEqualTo("acme");
        assertThat(seen.header("Authorization")).isEqualTo("Basic YWxpY2U6cHc="); // forwarded, not ours
        String neither = get("/either/x", "Authorization: Basic YWxpY2U6cHc=");
        assertThat(RawHttp.status(neither)).isEqualTo(401);
        assertThat(neither).contains("error=\"invalid_token\"")
                .contains("error_description=\"No bearer token or API key was sent.\"");
        assertThat(RawHttp.status(get("/either/x", "Authorization: Basic YQ==", "Authorization: Basic Yg==",
                "X-API-Key: " + API_KEY))).isEqualTo(400);
    }

    @Test
    void validTokenReachesUpstreamWithUserContextOnly() throws Exception {
        String t = token(FIRST, "first", "alice", "orders:read");
        String r = get("/orders/1", "Authorization: Bearer " + t, "X-User-Id: mallory", "x-user-id: mallory2",
                "X_User_Roles: admin", "X-Auth-Method: none");
        assertThat(RawHttp.status(r)).as(r).isEqualTo(200);
        UpstreamServer.Seen seen = upstream.last();
        assertThat(seen.headers("X-User-Id")).containsExactly("alice");
        assertThat(seen.headers("X-User-Roles")).containsExactly("reader");
        assertThat(seen.headers("X_User_Roles")).isEmpty();
        assertThat(seen.headers("X-User-Scopes")).containsExactly("orders:read");
        assertThat(seen.headers("X-Auth-Method")).containsExactly("jwt");
        assertThat(seen.header("Authorization")).isEqualTo("Bearer " + t); // forwarded by default
    }

    @Test
    void clientCannotSetUserContextHeadersOnOpenRoutes() throws Exception {
        String r = get("/open/x", "X-User-Id: root", "X-USER-ID: root2", "x_user_id: root3", "X-Api-Key-Owner: me",
                "X-Other: kept");
        assertThat(RawHttp.status(r)).isEqualTo(200);
        UpstreamServer.Seen seen = upstream.last();
        assertThat(seen.headers("X-User-Id")).isEmpty();
        assertThat(seen.headers("x_user_id")).isEmpty();
        assertThat(seen.headers("X-Api-Key-Owner")).isEmpty();
        assertThat(seen.header("X-Other")).isEqualTo("kept");
    }

    @Test
    void twoAuthorizationHeadersAre400() throws Exception {
        String t = token(FIRST, "first", "alice", "orders:read");
        String r = get("/orders/1", "Authorization: Bearer " + t, "Authorization: Bearer " + t);
        assertThat(RawHttp.status(r)).isEqualTo(400);
        assertThat(r).contains("error=\"invalid_request\"");
    }

    @Test
    void badTokensAre401NeverServerErrors() throws Exception {
        String good = token(FIRST, "first", "alice", "orders:read");
        String stripped = good.substring(0, good.lastIndexOf('.') + 1);
        String none = Jwts.raw("{\"alg\":\"none\",\"kid\":\"first\"}", "{\"sub\":\"x\",\"exp\":4102444800}", new byte[0]);
        for (String t : List.of(stripped, none, "!!!.###.$$$", "a".repeat(3000),
                token(Jwts.rsa(), "../../etc/passwd", "x", "orders:read"))) {
            String r = get("/orders/1", "Authorization: Bearer " + t);
            assertThat(RawHttp.status(r)).isEqualTo(401);
            assertThat(r).contains("error=\"invalid_token\"");
        }
    }

    @Test
    void missingScopeIs403() throws Exception {
        String r = get("/orders/1", "Authorization: Bearer " + token(FIRST, "first", "bob", "profile"));
        assertThat(RawHttp.status(r)).isEqualTo(403);
        assertThat(r).contains("error=\"insufficient_scope\"").contains("scope=\"orders:read\"");
    }

    @Test
    void apiKeyRouteHidesTheKeyAndNamesTheOwner() throws Exception {
        assertThat(RawHttp.status(get("/partner/x"))).isEqualTo(401);
        assertThat(RawHttp.status(get("/partner/x", "X-API-Key: wrong"))).isEqualTo(401);
        String r = get("/partner/x", "X-API-Key: " + API_KEY);
        assertThat(RawHttp.status(r)).isEqualTo(200);
        UpstreamServer.Seen seen = upstream.last();
        assertThat(seen.header("X-API-Key")).isNull();
        assertThat(seen.header("X-Api-Key-Owner")).isEqualTo("acme");
        assertThat(seen.header("X-Auth-Method")).isEqualTo("api-key");
    }

    @Test
    void rotatedKeyIsAcceptedWithoutRestart() throws Exception {
        jwks.serve(Jwts.jwks(Jwts.jwk("first", FIRST.getPublic(), "RS256"), Jwts.jwk("second", SECOND.getPublic(), null)));
        String r = get("/orders/1", "Authorization: Bearer " + token(SECOND, "second", "carol", "orders:read"));
        assertThat(RawHttp.status(r)).isEqualTo(200);
        assertThat(upstream.last().header("X-User-Id")).isEqualTo("carol");
    }

    @Test
    void verifiedClaimsAreSharedInRedisUnderTheTokenHash() throws Exception {
        String t = token(FIRST, "first", "dave", "orders:read");
        assertThat(RawHttp.status(get("/orders/1", "Authorization: Bearer " + t))).isEqualTo(200);
        // the key: the provider's fingerprint, then the token's SHA-256
        String pattern = "tollgate:auth:token:*:" + HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(t.getBytes(StandardCharsets.US_ASCII)));
        try (RedisClient jedis = RedisClient.builder().hostAndPort(new HostAndPort("127.0.0.1", redis.port())).build()) {
            assertThat(Poll.until(Duration.ofSeconds(10), () -> !jedis.keys(pattern).isEmpty()))
                    .as("level-2 entry " + pattern).isTrue();
            String key = jedis.keys(pattern).iterator().next();
            assertThat(jedis.pttl(key)).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(10).toMillis());
            JsonNode claims = JSON.readTree(jedis.get(key));
            assertThat(claims.get("sub").asText()).isEqualTo("dave");
            String signature = t.substring(t.lastIndexOf('.') + 1);
            for (String k : jedis.keys("*")) {
                String v = "string".equals(jedis.type(k)) ? jedis.get(k) : "";
                assertThat(k + v).doesNotContain(signature).doesNotContain(t.substring(0, 40));
            }
        }
        String logged = String.join("", log.lines());
        assertThat(logged).as("the gateway's log is recorded").contains("authentication cache=redis");
        assertThat(logged).doesNotContain(t.substring(t.lastIndexOf('.') + 1)).doesNotContain(t.substring(0, 40));
    }

    @Test
    void redisStoppedMidTestNeverFailsARequest() throws Exception {
        String t = token(FIRST, "first", "erin", "orders:read");
        assertThat(RawHttp.status(get("/orders/1", "Authorization: Bearer " + t))).isEqualTo(200);
        redis.stop();
        try {
            String fresh = token(FIRST, "first", "frank", "orders:read");
            for (int i = 0; i < 5; i++) {
                assertThat(RawHttp.status(get("/orders/1", "Authorization: Bearer " + t))).isEqualTo(200);
                assertThat(RawHttp.status(get("/orders/1", "Authorization: Bearer " + fresh))).isEqualTo(200);
                assertThat(RawHttp.status(get("/orders/1", "Authorization: Bearer x" + fresh))).isEqualTo(401);
            }
        } finally {
            redis.start();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (int i = 0; ; i++) {
            // a new token each time: a token is written to level 2 when it is verified
            String after = token(FIRST, "first", "grace-" + i, "orders:read");
            assertThat(RawHttp.status(get("/orders/1", "Authorization: Bearer " + after))).isEqualTo(200);
            String pattern = "tollgate:auth:token:*:" + HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(after.getBytes(StandardCharsets.US_ASCII)));
            Thread.sleep(50);
            if ("*1".equals(redis.command("KEYS " + pattern))) {
                break;
            }
            assertThat(System.nanoTime()).as("level 2 resumes after the restart").isLessThan(deadline);
        }
    }
}
