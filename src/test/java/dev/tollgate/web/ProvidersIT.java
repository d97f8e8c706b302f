package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testsupport.ExtraGateway;
import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.JwksServer;
import dev.tollgate.testsupport.Jwts;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.RedisServer;
import dev.tollgate.testsupport.UpstreamServer;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
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
 * Two identity providers through the real WAR, and two gateway instances (the Arquillian deployment and a second
 * embedded Jetty with the same WAR) that share one real redis-server as level 2 and differ only in provider
 * {@code a}'s audience: routes accept the providers they name, and a result one instance cached is never
 * accepted by the other, whose settings differ.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Tag("redis")
class ProvidersIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String A = "https://a.example/";
    private static final String B = "https://b.example/";
    private static final String B_SECRET = "provider-b-secret-0123456789abcdef";
    private static final KeyPair SIGNER = Jwts.rsa();
    private static UpstreamServer upstream;
    private static JwksServer jwks;
    private static RedisServer redis;
    private static ExtraGateway second;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @ArquillianResource
    private URL base;

    private static String config(boolean jmx, String audience) {
        return String.join("\n",
                "gateway.metrics.jmx.enabled = " + jmx,
                "gateway.redis.uri = " + redis.uri(),
                "gateway.redis.timeout = 2s",
                "gateway.auth.cache = redis",
                "gateway.auth.cache.redis-timeout = 2s",
                "gateway.auth.providers.a.jwks-uri = " + jwks.uri(),
                "gateway.auth.providers.a.issuer = " + A,
                "gateway.auth.providers.a.audience = " + audience,
                "gateway.auth.providers.b.keys.kb.algorithm = HS256",
                "gateway.auth.providers.b.keys.kb.secret = " + B_SECRET,
                "gateway.auth.providers.b.issuer = " + B,
                "gateway.services.app.instances = " + upstream.uri(),
                "gateway.routes.any.path = /any/**",
                "gateway.routes.any.service = app",
                "gateway.routes.any.auth = jwt",
                "gateway.routes.only-a.path = /only-a/**",
                "gateway.routes.only-a.service = app",
                "gateway.routes.only-a.auth = jwt",
                "gateway.routes.only-a.auth.providers = a");
    }

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        upstream = new UpstreamServer("app");
        jwks = new JwksServer(Jwts.jwks(Jwts.jwk("signer", SIGNER.getPublic(), "RS256")));
        redis = RedisServer.startNew();
        second = new ExtraGateway(GatewayDeployment.war(config(false, "billing")));
        return GatewayDeployment.war(config(true, "orders"));
    }

    @AfterAll
    static void stop() throws Exception {
        second.close();
        upstream.close();
        jwks.close();
        redis.close();
    }

    private String first() {
        return "http://" + base.getHost() + ":" + base.getPort();
    }

    private HttpResponse<String> get(String gateway, String path, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String fromA(String subject, String... audiences) {
        Instant now = Instant.now();
        return Jwts.claims("signer", now, subject).withIssuer(A).withAudience(audiences)
                .withExpiresAt(now.plus(Duration.ofMinutes(10))).sign(Jwts.rs256(SIGNER));
    }

    private static String fromB(String subject, String issuer) {
        Instant now = Instant.now();
        return Jwts.claims("kb", now, subject).withIssuer(issuer).withExpiresAt(now.plus(Duration.ofMinutes(10)))
                .sign(Algorithm.HMAC256(B_SECRET));
    }

    private static void assertUnknownIssuer(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"tollgate\", "
                + "error=\"invalid_token\", error_description=\"The token's issuer is not accepted here.\"");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("status").asInt()).isEqualTo(401);
        assertThat(body.get("detail").asText()).isEqualTo("The token's issuer is not accepted here.");
    }

    @Test
    void aRouteAcceptsOnlyTheProvidersItNames() throws Exception {
        assertThat(get(first(), "/any/1", fromB("bob", B)).statusCode()).isEqualTo(200);
        assertThat(upstream.last().header("X-User-Id")).isEqualTo("bob");
        assertThat(get(first(), "/only-a/1", fromA("alice", "orders")).statusCode()).isEqualTo(200);
        assertUnknownIssuer(get(first(), "/only-a/1", fromB("bob", B)));
        assertUnknownIssuer(get(first(), "/any/1", fromB("eve", "https://evil.example/")));
    }

    private static String pattern(String token) throws Exception {
        return "tollgate:auth:token:*:" + HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
    }

    private static void awaitEntries(String pattern, int n) throws InterruptedException {
        // level-2 writes are queued
        assertThat(Poll.until(Duration.ofSeconds(10), () -> ("*" + n).equals(redis.command("KEYS " + pattern))))
                .as(n + " level-2 entries " + pattern).isTrue();
    }

    @Test
    void aResultCachedUnderOneAudienceNeverPassesUnderAnother() throws Exception {
        String t = fromA("carol", "orders");
        assertThat(get(first(), "/any/1", t).statusCode()).isEqualTo(200);
        awaitEntries(pattern(t), 1);
        // the entry is in the shared Redis, but the second instance's provider a expects another audience
        HttpResponse<String> other = get(second.uri(), "/any/1", t);
        assertThat(other.statusCode()).isEqualTo(401);
        assertThat(other.headers().firstValue("WWW-Authenticate").orElse(""))
                .contains("error_description=\"The token's claims are not accepted.\"");
        assertThat(get(first(), "/any/1", t).statusCode()).as("still good where it was verified").isEqualTo(200);

        // a token good for both is cached once per setting, never shared between them
        String both = fromA("dave", "orders", "billing");
        assertThat(get(first(), "/any/1", both).statusCode()).isEqualTo(200);
        assertThat(get(second.uri(), "/any/1", both).statusCode()).isEqualTo(200);
        awaitEntries(pattern(both), 2);
    }
}
