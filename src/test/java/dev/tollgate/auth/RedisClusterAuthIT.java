package dev.tollgate.auth;

import static dev.tollgate.auth.Fixtures.NOW;
import static dev.tollgate.auth.Fixtures.RSA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.redis.Redis;
import dev.tollgate.testsupport.FakeClock;
import dev.tollgate.testsupport.Jwts;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.RedisCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The token cache and revocations on a real 3-master Redis Cluster, configured as a user does
 * ({@code gateway.redis.cluster = true} and the seed nodes): level-2 entries and revocations spread over the
 * masters, and the operations that read a whole key space (clearing level 2, loading the revocation list) see
 * every master.
 */
@Tag("redis")
class RedisClusterAuthIT {
    private static RedisCluster cluster;
    private final FakeClock clock = new FakeClock(NOW);
    private final List<AutoCloseable> open = new ArrayList<>();
    private AuthRuntime a;
    private AuthRuntime b;

    @BeforeAll
    static void start() throws Exception {
        cluster = RedisCluster.startNew();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        for (int node = 0; node < 3; node++) {
            cluster.commandOn(node, "FLUSHALL");
        }
        a = instance();
        b = instance();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private AuthRuntime instance() {
        GatewayConfig c = Fixtures.config(List.of("gateway.redis.cluster = true",
                "gateway.redis.uri = " + cluster.seeds(), "gateway.redis.timeout = 2s",
                "gateway.redis.retry-interval = 100ms", "gateway.auth.cache = redis",
                "gateway.auth.cache.redis-timeout = 2s",
                "gateway.auth.jwt.keys.k1.algorithm = RS256",
                "gateway.auth.jwt.keys.k1.public-key = " + Jwts.pem(RSA.getPublic()).replace("\n", "")));
        Redis redis = Redis.open(c.redis());
        assertThat(redis.isCluster()).isTrue();
        AuthRuntime auth = new AuthRuntime(c.auth(), c.redis(), redis, clock, clock);
        open.add(redis);
        open.add(auth);
        return auth;
    }

    private static String token(String subject) {
        return Jwts.claims("k1", NOW, subject).withExpiresAt(NOW.plus(Duration.ofHours(1)))
                .withClaim("roles", List.of("admin")).sign(Jwts.rs256(RSA));
    }

    private static long total(List<Long> perNode) {
        return perNode.stream().mapToLong(Long::longValue).sum();
    }

    /** Waits (with a deadline) until every master together holds {@code n} keys matching the pattern. */
    private static List<Long> awaitKeys(String pattern, long n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<Long> perNode = cluster.keysPerNode(pattern);
        while (total(perNode) != n) {
            assertThat(System.nanoTime()).as("%d keys %s, now %s", n, pattern, perNode).isLessThan(deadline);
            Thread.sleep(20);
            perNode = cluster.keysPerNode(pattern);
        }
        return perNode;
    }

    private static void awaitSynced(AuthRuntime x) throws InterruptedException {
        assertThat(Poll.until(Duration.ofSeconds(10), () -> x.tokens().revocations().isComplete()))
                .as("revocation replica synced").isTrue();
    }

    @Test
    void levelTwoIsSharedAcrossTheMastersAndClearEmptiesEveryMaster() throws Exception {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            tokens.add(token("user-" + i));
            a.tokens().authenticate(tokens.get(i));
        }
        List<Long> perNode = awaitKeys("tollgate:auth:token:*", 12);
        assertThat(perNode.stream().filter(n -> n > 0).count()).as("spread over the masters: %s", perNode)
                .isGreaterThanOrEqualTo(2);
        for (String t : tokens) {
            b.tokens().authenticate(t);
        }
        assertThat(b.tokens().stats().l2Hits()).as("every entry found on its master").isEqualTo(12);
        assertThat(b.tokens().stats().verifications()).isZero();

        assertThat(new TokenCacheBean(b::tokens, "redis").clear()).contains("level 2: 12 entries");
        assertThat(cluster.keysPerNode("tollgate:auth:token:*")).containsOnly(0L);
    }

    @Test
    void revocationsOnEveryMasterReachEveryInstance() throws Exception {
        List<String> tokens = new ArrayList<>();
        List<String> jtis = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            tokens.add(token("user-" + i));
            jtis.add(a.tokens().authenticate(tokens.get(i)).jti());
        }
        awaitSynced(a);
        awaitSynced(b);
        for (String jti : jtis.subList(0, 6)) {
            assertThat(new TokenCacheBean(a::tokens, "redis").revoke(jti, 60)).contains("all instances");
        }
        List<Long> perNode = cluster.keysPerNode("tollgate:auth:revoked:*");
        assertThat(total(perNode)).isEqualTo(6);
        assertThat(perNode.stream().filter(n -> n > 0).count()).as("spread over the masters: %s", perNode)
                .isGreaterThanOrEqualTo(2);

        // announced over pub/sub: instance B (subscribed on a seed node) learns each one
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (int i = 0; i < 6; i++) {
            while (!b.tokens().revocations().isRevoked(BearerTokens.sha256(tokens.get(i)), jtis.get(i))) {
                assertThat(System.nanoTime()).as("revocation reached instance B").isLessThan(deadline);
                Thread.sleep(10);
            }
        }
        assertThat(b.tokens().revocations().isComplete()).as("B held them without asking Redis").isTrue();
        // an instance started afterwards loads the stored list from every master, then needs no round trip
        AuthRuntime c = instance();
        awaitSynced(c);
        for (int i = 0; i < 9; i++) {
            String t = tokens.get(i);
            if (i < 6) {
                assertThatThrownBy(() -> c.tokens().authenticate(t)).extracting(e -> ((AuthException) e).reason())
                        .isEqualTo(AuthException.Reason.REVOKED);
            } else {
                assertThat(c.tokens().authenticate(t).subject()).isEqualTo("user-" + i);
            }
        }
    }
}
