package dev.tollgate.auth;

import static dev.tollgate.auth.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.AuthConfig;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.redis.Redis;
import dev.tollgate.testsupport.FakeClock;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.RedisPerClass;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * API keys looked up in a real redis-server ({@code gateway.auth.api-key.redis-lookup = true}): the stored
 * format, the in-process cache of the answers (a fake ticker drives its TTL, {@code cache.negative-ttl}), and
 * failing closed while Redis is down.
 */
@Tag("redis")
class ApiKeysRedisIT {
    private static final String CONFIGURED = "k-configured-71b2";
    private static final Duration TTL = Duration.ofSeconds(10);
    @RegisterExtension
    static final RedisPerClass REDIS = new RedisPerClass();
    private final FakeClock clock = new FakeClock(NOW);
    private final AuthConfig.RouteAuth route = new AuthConfig.RouteAuth(AuthConfig.Policy.API_KEY, Set.of(),
            Set.of(), false);
    private Redis redis;
    private AuthRuntime auth;

    private static GatewayConfig config(boolean lookup) {
        return Fixtures.config(List.of("gateway.redis.uri = " + REDIS.server().uri(),
                "gateway.redis.retry-interval = 100ms", "gateway.auth.cache = redis",
                // generous: a loaded test machine must not look like an outage; a stopped server refuses at once
                "gateway.auth.cache.redis-timeout = 2s", "gateway.auth.cache.negative-ttl = 10s",
                "gateway.auth.api-key.redis-lookup = " + lookup,
                "gateway.auth.api-keys.configured.sha256 = " + hex(CONFIGURED),
                "gateway.auth.api-keys.configured.owner = initech"));
    }

    @BeforeEach
    void setUp() throws Exception {
        GatewayConfig c = config(true);
        redis = Redis.open(c.redis());
        auth = new AuthRuntime(c.auth(), c.redis(), redis, clock, clock);
    }

    @AfterEach
    void tearDown() {
        auth.close();
        redis.close();
    }

    private static String hex(String key) {
        return HexFormat.of().formatHex(ApiKeys.sha256(key));
    }

    /** Stores a key the documented way: its SHA-256 in the Redis key, the JSON description as the value. */
    private static void store(String key, String json) {
        assertThat(REDIS.server().command("SET tollgate:auth:apikey:" + hex(key) + " '" + json + "'")).isEqualTo("+OK");
    }

    private Authenticator.Decision present(String key) {
        return auth.authenticator().authenticate(route, List.of(), List.of(key));
    }

    /** A reload switches the lookup off and on again; the configured keys work throughout. */
    @Test
    void theLookupFollowsAReload() {
        store("k-redis-reload", "{\"id\":\"r\",\"owner\":\"globex\"}");
        Authenticator on = auth.authenticator();
        Authenticator off = auth.reloaded(config(false).auth(), on, false);
        assertThat(off.authenticate(route, List.of(), List.of("k-redis-reload")).status()).isEqualTo(401);
        assertThat(off.authenticate(route, List.of(), List.of(CONFIGURED)).status()).isEqualTo(200);
        Authenticator again = auth.reloaded(config(true).auth(), off, false);
        assertThat(again.authenticate(route, List.of(), List.of("k-redis-reload")).status()).isEqualTo(200);
        assertThat(on.authenticate(route, List.of(), List.of("k-redis-reload")).status())
                .as("a request on the replaced authenticator keeps its lookup").isEqualTo(200);
    }

    @Test
    void keyStoredInRedisGivesItsOwnerPlanRolesAndScopes() {
        store("k-redis-1", "{\"id\":\"globex-main\",\"owner\":\"globex\",\"plan\":\"gold\","
                + "\"roles\":[\"partner\",\"billing\"],\"scopes\":[\"orders:read\"]}");
        Authenticator.Decision ok = present("k-redis-1");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.identity().method()).isEqualTo(Identity.API_KEY);
        assertThat(ok.identity().principal()).isEqualTo(
                new Principal("globex", "globex-main", Set.of("partner", "billing"), "gold"));
        assertThat(ok.identity().scopes()).containsExactly("orders:read");
        // only owner is required; the id defaults to the owner
        store("k-redis-2", "{\"owner\":\"hooli\"}");
        assertThat(present("k-redis-2").identity().principal())
                .isEqualTo(new Principal("hooli", "hooli", Set.of(), null));
        // Redis holds the hash, never the key
        assertThat(REDIS.server().command("KEYS *")).isEqualTo("*2");
    }

    @Test
    void unknownKeyIs401AndThatAnswerIsCachedForTheTtl() {
        Authenticator.Decision unknown = present("k-later");
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.challenge()).contains("error=\"invalid_token\"");
        store("k-later", "{\"owner\":\"late\"}");
        clock.advance(TTL.minusMillis(1));
        assertThat(present("k-later").status()).as("not found is remembered").isEqualTo(401);
        clock.advance(Duration.ofMillis(1));
        assertThat(present("k-later").status()).isEqualTo(200);
    }

    @Test
    void keyRemovedFromRedisWorksUntilTheTtlThenIsRefused() {
        store("k-removed", "{\"owner\":\"gone\"}");
        assertThat(present("k-removed").status()).isEqualTo(200);
        assertThat(REDIS.server().command("DEL tollgate:auth:apikey:" + hex("k-removed"))).isEqualTo(":1");
        clock.advance(TTL.minusMillis(1));
        assertThat(present("k-removed").status()).as("found is remembered").isEqualTo(200);
        clock.advance(Duration.ofMillis(1));
        assertThat(present("k-removed").status()).isEqualTo(401);
    }

    @Test
    void unreadableEntriesAreRefused() {
        store("k-no-owner", "{\"plan\":\"gold\"}");
        store("k-not-json", "not json");
        store("k-array", "[\"owner\"]");
        for (String k : List.of("k-no-owner", "k-not-json", "k-array")) {
            assertThat(present(k).status()).as(k).isEqualTo(401);
        }
    }

    @Test
    void redisDownFailsClosedForRedisKeysWhileConfiguredKeysWork() throws Exception {
        store("k-seen", "{\"owner\":\"seen\"}");
        assertThat(present("k-seen").status()).isEqualTo(200);
        REDIS.server().stop();
        try {
            assertThat(present(CONFIGURED).status()).isEqualTo(200);
            assertThat(present(CONFIGURED).identity().principal().subject()).isEqualTo("initech");
            Authenticator.Decision unseen = present("k-unseen");
            assertThat(unseen.status()).isEqualTo(401);
            assertThat(unseen.detail()).isEqualTo("The API key is not valid.");
            assertThat(present("k-seen").status()).as("answered from the local cache").isEqualTo(200);
            clock.advance(TTL);
            assertThat(present("k-seen").status()).isEqualTo(401);
        } finally {
            REDIS.server().start();
        }
        // a restarted server is empty; the refusals during the outage were not remembered
        store("k-unseen", "{\"owner\":\"back\"}");
        assertThat(Poll.until(Duration.ofSeconds(10), () -> present("k-unseen").status() == 200))
                .as("Redis lookups resume after the restart").isTrue();
    }
}
