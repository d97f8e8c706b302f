package dev.tollgate.auth;

import static dev.tollgate.auth.Fixtures.NOW;
import static dev.tollgate.auth.Fixtures.RSA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.config.ClaimHeader;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.redis.Redis;
import dev.tollgate.testsupport.FakeClock;
import dev.tollgate.testsupport.Jwts;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two gateway instances (two authentication runtimes, each with its own Redis client and level 1) sharing one
 * real redis-server: level 2 across instances, expiry, revocation, and Redis outages.
 */
@Tag("redis")
class RedisTokenCacheIT {
    private static RedisServer server;
    private final FakeClock clock = new FakeClock(NOW);
    private final List<AutoCloseable> open = new ArrayList<>();
    private AuthRuntime a;
    private AuthRuntime b;

    @BeforeAll
    static void startRedis() throws Exception {
        server = RedisServer.startNew();
    }

    @AfterAll
    static void stopRedis() {
        server.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        server.start();
        server.command("FLUSHALL");
        a = instance(server.uri(), "200ms");
        b = instance(server.uri(), "200ms");
    }

    private AuthRuntime instance(String uri, String redisTimeout) {
        GatewayConfig c = Fixtures.config(List.of("gateway.redis.uri = " + uri, "gateway.redis.retry-interval = 100ms",
                "gateway.auth.cache = redis", "gateway.auth.cache.redis-timeout = " + redisTimeout,
                "gateway.auth.jwt.keys.k1.algorithm = RS256",
                "gateway.auth.jwt.keys.k1.public-key = " + Jwts.pem(RSA.getPublic()).replace("\n", "")));
        Redis redis = Redis.open(c.redis());
        AuthRuntime auth = new AuthRuntime(c.auth(), c.redis(), redis, clock, clock);
        open.add(redis);
        open.add(auth);
        return auth;
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private static String token(String subject, Duration lifetime) {
        return Jwts.claims("k1", NOW, subject).withExpiresAt(NOW.plus(lifetime)).withClaim("roles", List.of("admin"))
                .sign(Jwts.rs256(RSA));
    }

    /** Level-2 writes are queued; wait (with a deadline) until the entry is there. */
    private static void awaitKey(String key) throws InterruptedException {
        assertThat(Poll.until(Duration.ofSeconds(10), () -> ":1".equals(server.command("EXISTS " + key))))
                .as("Redis key " + key).isTrue();
    }

    @Test
    void tokenVerifiedOnOneInstanceIsNotVerifiedOnAnother() throws Exception {
        String t = token("alice", Duration.ofHours(1));
        String hash = BearerTokens.sha256(t);
        assertThat(a.tokens().authenticate(t).subject()).isEqualTo("alice");
        String key = "tollgate:auth:token:" + a.tokens().keys(hash).get(0); // the provider's fingerprint, the hash
        awaitKey(key);
        assertThat(b.tokens().authenticate(t).roles()).containsExactly("admin");
        assertThat(b.tokens().stats().verifications()).isZero();
        assertThat(b.tokens().stats().l2Hits()).isEqualTo(1);
        assertThat(a.tokens().stats().verifications()).isEqualTo(1);
        // the entry: TTL at most exp - now, the claims as JSON, never the token
        long ttl = Long.parseLong(server.command("PTTL " + key).substring(1));
        assertThat(ttl).isPositive().isLessThanOrEqualTo(Duration.ofHours(1).toMillis());
        String len = server.command("STRLEN " + key);
        assertThat(Integer.parseInt(len.substring(1))).isLessThan(t.length());
        assertThat(server.command("GET " + key)).startsWith("$");
        assertThat(server.command("KEYS *")).isEqualTo("*1");
    }

    @Test
    void levelTwoHitCarriesEveryClaimForTheClaimHeaders() throws Exception {
        String t = Jwts.claims("k1", NOW, "alice").withExpiresAt(NOW.plus(Duration.ofHours(1)))
                .withClaim("tenant_id", "t-42").withClaim("realm_access", Map.of("roles", List.of("reader", "writer")))
                .sign(Jwts.rs256(RSA));
        List<ClaimHeader> mappings = List.of(new ClaimHeader("X-Tenant", "tenant_id", List.of("tenant_id")),
                new ClaimHeader("X-Roles", "/realm_access/roles", List.of("realm_access", "roles")));
        VerifiedToken verified = a.tokens().authenticate(t);
        awaitKey("tollgate:auth:token:" + a.tokens().keys(BearerTokens.sha256(t)).get(0));
        VerifiedToken fromRedis = b.tokens().authenticate(t);
        VerifiedToken fromLevelOne = b.tokens().authenticate(t);
        assertThat(b.tokens().stats().verifications()).isZero();
        assertThat(b.tokens().stats().l2Hits()).isEqualTo(1);
        assertThat(b.tokens().stats().l1Hits()).isEqualTo(1);
        for (VerifiedToken v : List.of(verified, fromRedis, fromLevelOne)) {
            assertThat(b.claimHeaders().headers("r", mappings, v.claims())).extracting(h -> h.name() + "=" + h.value())
                    .containsExactly("X-Tenant=t-42", "X-Roles=reader,writer");
        }
    }

    @Test
    void aReloadedRedisTimeoutTakesTheCallsWithANewClient() throws Exception {
        GatewayConfig next = Fixtures.config(List.of("gateway.redis.uri = " + server.uri(),
                "gateway.redis.retry-interval = 100ms", "gateway.auth.cache = redis",
                "gateway.auth.cache.redis-timeout = 1s", "gateway.auth.jwt.keys.k1.algorithm = RS256",
                "gateway.auth.jwt.keys.k1.public-key = " + Jwts.pem(RSA.getPublic()).replace("\n", "")));
        Authenticator running = b.authenticator();
        Authenticator reloaded = b.reloaded(next.auth(), running, false);
        b.release(running, reloaded); // the client with the old timeout is closed
        String t = token("carol", Duration.ofHours(1));
        assertThat(a.tokens().authenticate(t).subject()).isEqualTo("carol");
        awaitKey("tollgate:auth:token:" + a.tokens().keys(BearerTokens.sha256(t)).get(0));
        assertThat(reloaded.tokens().authenticate(t).subject()).isEqualTo("carol");
        assertThat(reloaded.tokens().stats().l2Hits()).as("level 2 read through the new client").isEqualTo(1);
        assertThat(reloaded.tokens().stats().verifications()).isZero();
    }

    @Test
    void levelTwoHonoursExpiry() throws Exception {
        String t = token("alice", Duration.ofMinutes(5));
        a.tokens().authenticate(t);
        awaitKey("tollgate:auth:token:" + a.tokens().keys(BearerTokens.sha256(t)).get(0));
        clock.advance(Duration.ofMinutes(6)); // instance B's clock says the token has expired
        assertThatThrownBy(() -> b.tokens().authenticate(t)).extracting(e -> ((AuthException) e).reason())
                .isEqualTo(AuthException.Reason.EXPIRED);
        assertThat(b.tokens().stats().l2Hits()).isZero();
    }

    /** Waits (with a deadline) until the instance's revocation replica has synced with Redis. */
    private static void awaitSynced(AuthRuntime x) throws InterruptedException {
        assertThat(Poll.until(Duration.ofSeconds(10), () -> x.tokens().revocations().isComplete()))
                .as("revocation replica synced").isTrue();
    }

    /** Waits (with a deadline) until the instance refuses the token as revoked. */
    private static void awaitRevoked(AuthRuntime x, String token) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                x.tokens().authenticate(token);
            } catch (AuthException e) {
                assertThat(e.reason()).isEqualTo(AuthException.Reason.REVOKED);
                return;
            }
            assertThat(System.nanoTime()).as("revocation reached the instance").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static long calls(String command) {
        String stats = server.command("INFO commandstats");
        int at = stats.indexOf("cmdstat_" + command + ":calls=");
        if (at < 0) {
            return 0;
        }
        int from = at + ("cmdstat_" + command + ":calls=").length();
        return Long.parseLong(stats.substring(from, stats.indexOf(',', from)));
    }

    @Test
    void revocationOnOneInstanceHoldsOnAllIncludingCacheHits() throws Exception {
        String t = token("alice", Duration.ofHours(1));
        VerifiedToken v = a.tokens().authenticate(t);
        b.tokens().authenticate(t);
        awaitSynced(b);
        assertThat(new TokenCacheBean(a::tokens, "redis").revoke(v.jti(), 60)).contains("all instances");
        assertThatThrownBy(() -> a.tokens().authenticate(t)).extracting(e -> ((AuthException) e).reason())
                .isEqualTo(AuthException.Reason.REVOKED);
        awaitRevoked(b, t); // announced on the channel: B holds it without asking Redis
        assertThat(Long.parseLong(server.command("TTL tollgate:auth:revoked:" + v.jti()).substring(1)))
                .isBetween(1L, 60L);
    }

    @Test
    void syncedReplicaChecksRevocationsWithoutARoundTrip() throws Exception {
        String t = token("alice", Duration.ofHours(1));
        String earlier = token("bob", Duration.ofHours(1));
        VerifiedToken bob = a.tokens().authenticate(earlier);
        awaitSynced(a);
        a.tokens().revocations().revoke(bob.jti(), Duration.ofSeconds(60));
        // an instance started after the revocation loads it from Redis when its feed subscribes
        AuthRuntime c = instance(server.uri(), "200ms");
        awaitSynced(c);
        awaitSynced(b);
        assertThatThrownBy(() -> c.tokens().authenticate(earlier)).extracting(e -> ((AuthException) e).reason())
                .isEqualTo(AuthException.Reason.REVOKED);
        b.tokens().authenticate(t);
        long exists = calls("exists");
        long gets = calls("get");
        for (int i = 0; i < 50; i++) {
            assertThat(b.tokens().authenticate(t).subject()).isEqualTo("alice");
        }
        // level-1 hits with a complete replica: no EXISTS, no GET, nothing on the wire
        assertThat(calls("exists")).isEqualTo(exists);
        assertThat(calls("get")).isEqualTo(gets);
    }

    @Test
    void feedResyncsAfterRedisRestart() throws Exception {
        String t = token("alice", Duration.ofHours(1));
        VerifiedToken v = a.tokens().authenticate(t);
        b.tokens().authenticate(t);
        awaitSynced(b);
        server.stop();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (b.tokens().revocations().isComplete()) {
            b.tokens().authenticate(t); // a broken subscription is noticed and the replica marked incomplete
            assertThat(System.nanoTime()).as("feed notices the outage").isLessThan(deadline);
            Thread.sleep(20);
        }
        server.start();
        awaitSynced(a);
        awaitSynced(b);
        assertThat(new TokenCacheBean(a::tokens, "redis").revoke(v.jti(), 60)).contains("all instances");
        awaitRevoked(b, t);
    }

    @Test
    void redisStoppedMidTestThenRestarted() throws Exception {
        String t = token("alice", Duration.ofHours(1));
        a.tokens().authenticate(t);
        server.stop();
        // instance A: level 1; instance B: verifies directly; neither fails
        assertThat(a.tokens().authenticate(t).subject()).isEqualTo("alice");
        assertThat(b.tokens().authenticate(t).subject()).isEqualTo("alice");
        assertThat(b.tokens().stats().verifications()).isEqualTo(1);
        String other = token("bob", Duration.ofHours(1));
        for (int i = 0; i < 20; i++) {
            assertThat(b.tokens().authenticate(other).subject()).isEqualTo("bob");
        }
        // a revocation made while Redis is down holds on the instance that made it
        VerifiedToken v = b.tokens().authenticate(other);
        assertThat(new TokenCacheBean(b::tokens, "redis").revoke(v.jti(), 60)).contains("this instance only");
        assertThatThrownBy(() -> b.tokens().authenticate(other)).isInstanceOf(AuthException.class);

        server.start();
        String third = token("carol", Duration.ofHours(1));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        // recovers by itself once the back-off (100 ms here) has passed
        while (!":1".equals(server.command("EXISTS tollgate:auth:token:"
                + b.tokens().keys(BearerTokens.sha256(third)).get(0)))) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            b.tokens().l1().clear();
            b.tokens().authenticate(third);
            Thread.sleep(20);
        }
        // instance A keeps its own Redis back-off from the outage, which may not have passed when B's has; until
        // then A verifies the token itself, which is right, so wait for its first level-2 read
        assertThat(Poll.until(Duration.ofSeconds(10), () -> {
            a.tokens().l1().clear();
            try {
                return "carol".equals(a.tokens().authenticate(third).subject()) && a.tokens().stats().l2Hits() > 0;
            } catch (AuthException e) {
                throw new AssertionError("a valid token refused after the restart", e);
            }
        })).as("instance A reads level 2 again after the restart").isTrue();
        assertThat(a.tokens().stats().l2Hits()).isEqualTo(1);
    }

    @Test
    void slowRedisCostsAtMostTheShortTimeoutThenIsSkipped() throws Exception {
        // a "Redis" that accepts connections and never answers
        try (java.net.ServerSocket hole = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                List<java.net.Socket> held = new ArrayList<>();
                try {
                    while (true) {
                        held.add(hole.accept());
                    }
                } catch (java.io.IOException e) {
                    held.forEach(x -> {
                        try {
                            x.close();
                        } catch (java.io.IOException ignored) {
                            // closing
                        }
                    });
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            GatewayConfig c = Fixtures.config(List.of("gateway.redis.uri = redis://127.0.0.1:" + hole.getLocalPort(),
                    "gateway.redis.timeout = 3s", "gateway.redis.retry-interval = 1h", "gateway.auth.cache = redis",
                    "gateway.auth.jwt.keys.k1.algorithm = RS256",
                    "gateway.auth.jwt.keys.k1.public-key = " + Jwts.pem(RSA.getPublic()).replace("\n", "")));
            try (Redis redis = Redis.open(c.redis());
                 AuthRuntime slow = new AuthRuntime(c.auth(), c.redis(), redis, clock, clock)) {
                String t = token("alice", Duration.ofHours(1));
                for (int i = 0; i < 5; i++) {
                    assertThat(slow.tokens().authenticate(t).subject()).isEqualTo("alice");
                }
                // Redis never answered and its 3 s socket timeout never fired: the 50 ms bound and back-off did
                assertThat(redis.failures()).isZero();
                assertThat(slow.tokens().redis().isDegraded()).isTrue();
                assertThat(slow.tokens().redis().fallbacks()).isGreaterThanOrEqualTo(5);
            }
        }
    }
}
