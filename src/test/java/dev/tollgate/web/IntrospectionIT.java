package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.HoldingUpstream;
import dev.tollgate.testsupport.IntrospectionServer;
import dev.tollgate.testsupport.Jwts;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.RecordingAppender;
import dev.tollgate.testsupport.RedisServer;
import dev.tollgate.testsupport.UpstreamServer;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Opaque tokens checked by OAuth 2.0 token introspection (RFC 7662) through the real WAR, against real HTTP
 * endpoints started here: one that answers, one that fails, one that never answers, one that refuses
 * connections until it is started; a real redis-server as level 2. Everything the gateway logs
 * ({@code dev.tollgate.*}, at any level enabled) is recorded, to prove neither a token nor the client secret
 * is ever written there.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Tag("redis")
class IntrospectionIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLIENT_SECRET = "gateway-client-secret-5e1f0a";
    private static RecordingAppender log;
    private static UpstreamServer upstream;
    private static IntrospectionServer idp;
    private static IntrospectionServer flaky;
    private static IntrospectionServer gone;
    private static HoldingUpstream hanging;
    private static RedisServer redis;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @ArquillianResource
    private URL base;

    private static String provider(String name, String uri, String more) {
        String p = "gateway.auth.providers." + name + ".introspection.";
        return String.join("\n", p + "uri = " + uri, p + "client-id = tollgate gateway", p + "client-secret = "
                + CLIENT_SECRET, p + "timeout = 500ms", p + "negative-cache = 1m", p + "retry-interval = 1m", more,
                "gateway.routes." + name + ".path = /" + name + "/**", "gateway.routes." + name + ".service = app",
                "gateway.routes." + name + ".auth = jwt", "gateway.routes." + name + ".auth.providers = " + name);
    }

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        log = RecordingAppender.attach("dev.tollgate", "%level %logger %msg%n");
        upstream = new UpstreamServer("app");
        idp = new IntrospectionServer("tollgate+gateway", CLIENT_SECRET); // RFC 6749 2.3.1: form-encoded id
        flaky = new IntrospectionServer("tollgate+gateway", CLIENT_SECRET);
        gone = new IntrospectionServer("tollgate+gateway", CLIENT_SECRET);
        gone.stop(); // its port refuses connections until the test starts it again
        hanging = new HoldingUpstream();
        redis = RedisServer.startNew();
        return GatewayDeployment.war(String.join("\n",
                "gateway.redis.uri = " + redis.uri(),
                "gateway.redis.timeout = 2s",
                "gateway.auth.cache = redis",
                "gateway.auth.cache.redis-timeout = 2s",
                "gateway.services.app.instances = " + upstream.uri(),
                provider("idp", idp.uri(), "gateway.auth.providers.idp.introspection.max-cache = 1m\n"
                        + "gateway.auth.providers.idp.issuer = https://as.example/"),
                provider("flaky", flaky.uri(), ""),
                provider("hang", hanging.uri() + "/hold", ""),
                provider("gone", gone.uri(), "gateway.auth.providers.gone.introspection.retry-interval = 1s")));
    }

    @AfterAll
    static void stop() throws Exception {
        log.detach("dev.tollgate");
        upstream.close();
        idp.close();
        flaky.close();
        gone.close();
        hanging.release();
        hanging.close();
        redis.close();
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + base.getHost() + ":" + base.getPort() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String active(String subject, Instant exp) {
        return "{\"active\":true,\"sub\":\"" + subject + "\",\"scope\":\"orders:read orders:write\",\"client_id\":"
                + "\"shop\",\"token_type\":\"Bearer\",\"exp\":" + exp.getEpochSecond() + "}";
    }

    private static long levelTwoTtl(String token) throws Exception {
        String pattern = "tollgate:auth:token:*:" + HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        // level-2 writes are queued
        assertThat(Poll.until(Duration.ofSeconds(10), () -> "*1".equals(redis.command("KEYS " + pattern))))
                .as("level-2 entry " + pattern).isTrue();
        String keys = redis.command("EVAL \"return redis.call('pttl', redis.call('keys', ARGV[1])[1])\" 0 " + pattern);
        return Long.parseLong(keys.substring(1));
    }

    @Test
    void anActiveTokenIsIntrospectedOnceAndCachedNoLongerThanMaxCache() throws Exception {
        String token = "2YotnFZFEjr1zCsicMWpAA-alice";
        idp.answer(token, active("alice", Instant.now().plus(Duration.ofHours(1))));
        for (int i = 0; i < 3; i++) {
            assertThat(get("/idp/orders", token).statusCode()).isEqualTo(200);
        }
        assertThat(upstream.last().header("X-User-Id")).isEqualTo("alice");
        assertThat(upstream.last().header("X-User-Scopes")).isEqualTo("orders:read orders:write");
        assertThat(upstream.last().header("X-Auth-Method")).as("from level 1 too").isEqualTo("introspection");
        assertThat(idp.calls(token)).isEqualTo(1);
        assertThat(idp.refused()).as("client credentials as RFC 6749 section 2.3.1 says").isZero();
        assertThat(levelTwoTtl(token)).as("bounded by max-cache, not by the hour to exp")
                .isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1).toMillis());
        assertThat(String.join("", log.lines())).doesNotContain(token);
    }

    @Test
    void aJwtOfAnIssuerWhoseProviderHasNoKeysIsIntrospected() throws Exception {
        String jwt = Jwts.raw("{\"alg\":\"RS256\",\"kid\":\"k\"}", "{\"iss\":\"https://as.example/\",\"sub\":\"erin\"}",
                new byte[32]);
        idp.answer(jwt, active("erin", Instant.now().plus(Duration.ofHours(1))));
        assertThat(get("/idp/orders", jwt).statusCode()).isEqualTo(200);
        assertThat(upstream.last().header("X-User-Id")).isEqualTo("erin");
        assertThat(upstream.last().header("X-Auth-Method")).as("a JWT, but vouched for by introspection")
                .isEqualTo("introspection");
        assertThat(idp.calls(jwt)).isEqualTo(1);
        String other = Jwts.raw("{\"alg\":\"RS256\",\"kid\":\"k\"}", "{\"iss\":\"https://else.example/\"}", new byte[32]);
        assertThat(get("/idp/orders", other).statusCode()).isEqualTo(401);
        assertThat(idp.calls(other)).as("another issuer's JWT is never sent to this endpoint").isZero();
    }

    @Test
    void anInactiveTokenIs401AndRememberedAsBad() throws Exception {
        String token = "tGzv3JOkF0XG5Qx2TlKWIA-unknown";
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = get("/idp/orders", token);
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(r.headers().firstValue("WWW-Authenticate").orElse(""))
                    .contains("error=\"invalid_token\", error_description=\"The token is not active.\"");
        }
        assertThat(idp.calls(token)).as("the negative cache answers the repeats").isEqualTo(1);
    }

    @Test
    void anActiveAnswerIsTrustedUntilTheTokensExpOnly() throws Exception {
        String token = "8xLOxBtZp8-short-lived";
        idp.answer(token, active("bob", Instant.now().plusSeconds(3)));
        assertThat(get("/idp/orders", token).statusCode()).isEqualTo(200);
        assertThat(levelTwoTtl(token)).isPositive().isLessThanOrEqualTo(3000);
        idp.answer(token, "{\"active\":false}"); // as the server says once the token has expired
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (get("/idp/orders", token).statusCode() == 200) {
            assertThat(System.nanoTime()).as("asked again once exp has passed").isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(idp.calls(token)).isEqualTo(2);
    }

    @Test
    void aFailingEndpointIs503WithRetryAfterAndIsNotAskedWhileBackingOff() throws Exception {
        flaky.failWith(500);
        HttpResponse<String> r = get("/flaky/orders", "opaque-during-outage-1");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
        assertThat(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
        assertThat(JSON.readTree(r.body()).get("status").asInt()).isEqualTo(503);
        int asked = flaky.requests();
        for (int i = 2; i < 10; i++) {
            HttpResponse<String> again = get("/flaky/orders", "opaque-during-outage-" + i);
            assertThat(again.statusCode()).isEqualTo(503);
            assertThat(again.headers().firstValue("Retry-After")).isPresent();
        }
        assertThat(flaky.requests()).as("no call while backing off").isEqualTo(asked);
        String logged = String.join("", log.lines());
        assertThat(logged).contains("provider=flaky introspection=").contains("client-secret=****")
                .doesNotContain(CLIENT_SECRET).doesNotContain("opaque-during-outage");
    }

    @Test
    void anEndpointThatNeverAnswersIs503AfterTheTimeout() throws Exception {
        HttpResponse<String> r = get("/hang/orders", "opaque-held");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        assertThat(hanging.held()).isEqualTo(1);
    }

    @Test
    void anEndpointThatRefusesConnectionsIs503UntilItIsBackThenAskedAgain() throws Exception {
        String token = "opaque-after-restart";
        HttpResponse<String> r = get("/gone/orders", token);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
        gone.answer(token, active("frank", Instant.now().plus(Duration.ofHours(1))));
        gone.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (get("/gone/orders", token).statusCode() == 503) {
            assertThat(System.nanoTime()).as("asked again after the retry interval").isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(get("/gone/orders", token).statusCode()).isEqualTo(200);
        assertThat(gone.calls(token)).as("one try after the interval, then the cache").isEqualTo(1);
    }
}
