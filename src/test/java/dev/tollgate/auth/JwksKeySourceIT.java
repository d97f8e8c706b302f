package dev.tollgate.auth;

import static dev.tollgate.auth.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.testsupport.FakeClock;
import dev.tollgate.testsupport.JwksServer;
import dev.tollgate.testsupport.Jwts;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** JWKS keys from a real HTTP server (JDK HttpServer): rotation, unknown kids, outages. */
class JwksKeySourceIT {
    private static final KeyPair OLD = Fixtures.RSA;
    private static final KeyPair NEW = Jwts.rsa();

    private final FakeClock clock = new FakeClock(NOW);
    private JwksServer server;
    private HttpJwksFetcher fetcher;
    private JwksKeySource jwks;

    @BeforeEach
    void setUp() throws Exception {
        server = new JwksServer(Jwts.jwks(Jwts.jwk("old", OLD.getPublic(), "RS256"),
                Jwts.jwk("ec", Fixtures.EC256.getPublic(), null)));
        GatewayConfig c = Fixtures.config(List.of("gateway.auth.jwt.jwks-uri = " + server.uri()));
        fetcher = new HttpJwksFetcher(c.auth().jwt().jwksUri(), Duration.ofSeconds(2));
        jwks = new JwksKeySource(server.uri(), fetcher, new JwtChecks(c.auth().jwt(), clock), Duration.ofSeconds(30),
                clock);
        jwks.refresh();
    }

    @AfterEach
    void tearDown() throws Exception {
        jwks.close();
        fetcher.close();
        server.close();
    }

    private TokenVerifier verifier() {
        return new TokenVerifier("default", Fixtures.config(List.of()).auth().jwt(), java.util.Map.of(), jwks,
                new ClaimsReader(List.of("roles"), List.of("scope"), List.of()));
    }

    @Test
    void readsRsaAndEcKeysWithTheirAlgorithms() throws Exception {
        assertThat(jwks.find("old").algorithm()).isEqualTo("RS256");
        assertThat(jwks.find("ec").algorithm()).isEqualTo("ES256"); // no alg: from the curve
        assertThat(verifier().verify(Jwts.claims("ec", NOW, "bob").sign(Jwts.es(Fixtures.EC256, 256))).subject())
                .isEqualTo("bob");
    }

    @Test
    void rotatedKeyIsFetchedOnFirstUseOfItsKid() throws Exception {
        String token = Jwts.claims("new", NOW, "alice").sign(Jwts.rs256(NEW));
        server.serve(Jwts.jwks(Jwts.jwk("new", NEW.getPublic(), "RS256")));
        assertThat(verifier().verify(token).subject()).isEqualTo("alice");
        assertThat(server.requests()).isEqualTo(2);
        assertThat(jwks.find("old")).isNull(); // removed from the set: no longer trusted
    }

    @Test
    void unknownKidRefetchIsRateLimited() {
        int before = server.requests();
        for (int i = 0; i < 50; i++) {
            assertThat(jwks.find("made-up-" + i)).isNull();
        }
        assertThat(server.requests()).isEqualTo(before + 1);
        clock.advance(Duration.ofSeconds(31));
        assertThat(jwks.find("made-up-again")).isNull();
        assertThat(server.requests()).isEqualTo(before + 2);
    }

    @Test
    void concurrentUnknownKidsShareOneFetch() throws Exception {
        server.serve(Jwts.jwks(Jwts.jwk("new", NEW.getPublic(), "RS256")));
        int before = server.requests();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger found = new AtomicInteger();
        List<Future<?>> all = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++) {
            all.add(pool.submit(() -> {
                go.await();
                if (jwks.find("new") != null) {
                    found.incrementAndGet();
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : all) {
            f.get(10, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(found.get()).isEqualTo(16);
        assertThat(server.requests()).isEqualTo(before + 1);
    }

    @Test
    void keepsStaleKeysWhileTheEndpointIsDownAndRecovers() throws Exception {
        String token = Jwts.claims("old", NOW, "alice").sign(Jwts.rs256(OLD));
        server.stop();
        jwks.refresh();
        assertThat(verifier().verify(token).subject()).isEqualTo("alice");
        clock.advance(Duration.ofMinutes(1));
        assertThat(jwks.find("new")).isNull(); // the refetch failed; nothing was lost
        assertThat(jwks.find("old")).isNotNull();
        server.serve(Jwts.jwks(Jwts.jwk("old", OLD.getPublic(), "RS256"), Jwts.jwk("new", NEW.getPublic(), "RS256")));
        server.start();
        jwks.refresh();
        assertThat(jwks.find("new")).isNotNull();
    }

    @Test
    void skipsSymmetricEncryptionWeakAndMismatchedKeys() throws Exception {
        server.serve("{\"keys\":[{\"kty\":\"oct\",\"kid\":\"oct\",\"k\":\"AAAA\"},"
                + Jwts.jwk("enc", OLD.getPublic(), "RS256").replace("\"sig\"", "\"enc\"") + ","
                + Jwts.jwk("mismatch", Fixtures.EC256.getPublic(), "ES384") + ","
                + Jwts.jwk("hs", OLD.getPublic(), "HS256") + "," + Jwts.jwk("ok", OLD.getPublic(), null) + "]}");
        jwks.refresh();
        assertThat(jwks.size()).isEqualTo(1);
        assertThat(jwks.find("ok").algorithm()).isEqualTo("RS256");
    }
}
