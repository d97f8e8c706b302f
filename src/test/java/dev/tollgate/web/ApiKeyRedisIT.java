package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.RawHttp;
import dev.tollgate.testsupport.RedisServer;
import dev.tollgate.testsupport.UpstreamServer;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * API keys kept in Redis ({@code gateway.auth.api-key.redis-lookup = true}) through the real WAR and a real
 * redis-server: a stored hash is accepted and its owner, plan and roles reach the upstream; an unknown key is
 * 401; a removed key stops working once the lookup cache ({@code cache.negative-ttl}, 1 s here) lets it go;
 * with Redis stopped configured keys still work and Redis keys fail closed with 401; after a restart they work
 * again.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Tag("redis")
class ApiKeyRedisIT {
    private static final String CONFIGURED = "it-configured-key-4e2a";
    private static UpstreamServer upstream;
    private static RedisServer redis;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        upstream = new UpstreamServer("app");
        redis = RedisServer.startNew();
        return GatewayDeployment.war(String.join("\n",
                "gateway.redis.uri = " + redis.uri(),
                "gateway.redis.retry-interval = 200ms",
                "gateway.auth.cache = redis",
                "gateway.auth.cache.negative-ttl = 1s",
                "gateway.auth.api-key.redis-lookup = true",
                "gateway.auth.api-keys.configured.sha256 = " + sha256(CONFIGURED),
                "gateway.auth.api-keys.configured.owner = initech",
                "gateway.auth.api-keys.configured.roles = partner",
                "gateway.services.app.instances = " + upstream.uri(),
                "gateway.routes.partner.path = /partner/**",
                "gateway.routes.partner.service = app",
                "gateway.routes.partner.auth = api-key",
                "gateway.routes.partner.auth.roles = partner",
                "gateway.routes.partner.auth.hide-credentials = true"));
    }

    @AfterAll
    static void stop() throws Exception {
        upstream.close();
        redis.close();
    }

    @BeforeEach
    void redisRunning() throws Exception {
        redis.start();
    }

    private static String sha256(String key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    /** As docs/authentication.md documents it: {@code SET tollgate:auth:apikey:<sha256 hex> '<json>'}. */
    private static void store(String key, String json) throws Exception {
        assertThat(redis.command("SET tollgate:auth:apikey:" + sha256(key) + " '" + json + "'")).isEqualTo("+OK");
    }

    private String get(String apiKey) throws Exception {
        try (RawHttp c = new RawHttp(base)) {
            return c.send("GET /partner/x HTTP/1.1\r\nHost: gw\r\nConnection: close\r\nX-API-Key: " + apiKey
                    + "\r\n\r\n").readAll();
        }
    }

    /** Polls (with a deadline) until the key gets the status: the lookup cache or the Redis back-off may delay it. */
    private void awaitStatus(String apiKey, int status, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (RawHttp.status(get(apiKey)) != status) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void keyStoredInRedisReachesTheUpstreamAsUserContext() throws Exception {
        store("it-redis-key-1", "{\"id\":\"globex-main\",\"owner\":\"globex\",\"plan\":\"gold\","
                + "\"roles\":[\"partner\",\"billing\"],\"scopes\":[\"orders:read\",\"orders:write\"]}");
        String r = get("it-redis-key-1");
        assertThat(RawHttp.status(r)).as(r).isEqualTo(200);
        UpstreamServer.Seen seen = upstream.last();
        assertThat(seen.headers("X-User-Id")).containsExactly("globex");
        assertThat(seen.headers("X-Api-Key-Owner")).containsExactly("globex");
        assertThat(seen.headers("X-User-Plan")).containsExactly("gold");
        assertThat(seen.headers("X-User-Roles")).containsExactly("billing,partner");
        assertThat(seen.headers("X-User-Scopes")).containsExactly("orders:read orders:write");
        assertThat(seen.headers("X-Auth-Method")).containsExactly("api-key");
        assertThat(seen.header("X-API-Key")).isNull();
    }

    @Test
    void unknownKeyIs401() throws Exception {
        String r = get("it-never-stored");
        assertThat(RawHttp.status(r)).isEqualTo(401);
        assertThat(r).contains("WWW-Authenticate: ApiKey realm=\"tollgate\", error=\"invalid_token\", "
                + "error_description=\"The API key is not valid.\", header=\"X-API-Key\"")
                .contains("Content-Type: application/problem+json");
    }

    @Test
    void keyWithoutTheRouteRoleIs403() throws Exception {
        store("it-redis-key-2", "{\"owner\":\"hooli\",\"roles\":[\"reader\"]}");
        String r = get("it-redis-key-2");
        assertThat(RawHttp.status(r)).isEqualTo(403);
        assertThat(r).contains("error=\"insufficient_scope\"");
    }

    @Test
    void keyRemovedFromRedisStopsWorkingWithinTheCacheTtl() throws Exception {
        store("it-redis-key-3", "{\"owner\":\"umbrella\",\"roles\":[\"partner\"]}");
        assertThat(RawHttp.status(get("it-redis-key-3"))).isEqualTo(200);
        assertThat(redis.command("DEL tollgate:auth:apikey:" + sha256("it-redis-key-3"))).isEqualTo(":1");
        awaitStatus("it-redis-key-3", 401, "a removed key is refused once the 1 s lookup cache lets it go");
    }

    @Test
    void redisStoppedFailsClosedForRedisKeysThenRecovers() throws Exception {
        store("it-redis-key-4", "{\"owner\":\"acme\",\"roles\":[\"partner\"]}");
        redis.stop();
        try {
            for (int i = 0; i < 5; i++) {
                assertThat(RawHttp.status(get(CONFIGURED))).isEqualTo(200);
                assertThat(upstream.last().header("X-User-Id")).isEqualTo("initech");
                String refused = get("it-redis-key-4");
                assertThat(RawHttp.status(refused)).as(refused).isEqualTo(401);
                assertThat(refused).contains("error=\"invalid_token\"");
            }
        } finally {
            redis.start();
        }
        // the restarted server is empty (no persistence): store the key again
        store("it-redis-key-4", "{\"owner\":\"acme\",\"roles\":[\"partner\"]}");
        awaitStatus("it-redis-key-4", 200, "Redis keys work again after the restart");
        assertThat(upstream.last().header("X-User-Id")).isEqualTo("acme");
    }
}
