package dev.tollgate.auth;

import static dev.tollgate.auth.Fixtures.NOW;
import static dev.tollgate.auth.Fixtures.RSA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.testsupport.FakeClock;
import dev.tollgate.testsupport.Jwts;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import javax.management.JMX;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Level 1, the negative cache, expiry and revocation with the local policy and a fake clock. */
class BearerTokensTest {
    private final FakeClock clock = new FakeClock(NOW);
    private final AuthRuntime auth = Fixtures.authRuntime(clock, null, List.of(
            "gateway.auth.jwt.keys.k1.algorithm = RS256",
            "gateway.auth.jwt.keys.k1.public-key = " + Jwts.pem(RSA.getPublic()).replace("\n", ""),
            "gateway.auth.jwt.roles-claim = realm_access.roles",
            "gateway.auth.jwt.plan-claim = tier"));
    private final BearerTokens tokens = auth.tokens();

    @AfterEach
    void close() {
        auth.close();
    }

    private String token(String subject, Duration lifetime) {
        return Jwts.claims("k1", NOW, subject).withExpiresAt(NOW.plus(lifetime))
                .withClaim("realm_access", java.util.Map.of("roles", List.of("admin", "ops")))
                .withClaim("scope", "read write").withClaim("tier", "gold").sign(Jwts.rs256(RSA));
    }

    @Test
    void repeatedTokenIsVerifiedOnce() throws Exception {
        String t = token("alice", Duration.ofHours(1));
        for (int i = 0; i < 100; i++) {
            VerifiedToken v = tokens.authenticate(t);
            assertThat(v.roles()).containsExactlyInAnyOrder("admin", "ops");
            assertThat(v.scopes()).containsExactlyInAnyOrder("read", "write");
            assertThat(v.plan()).isEqualTo("gold");
        }
        assertThat(tokens.stats().verifications()).isEqualTo(1);
        assertThat(tokens.stats().l1Hits()).isEqualTo(99);
    }

    @Test
    void levelOneHonoursExpiry() throws Exception {
        String t = token("alice", Duration.ofMinutes(5));
        tokens.authenticate(t);
        clock.advance(Duration.ofMinutes(4));
        tokens.authenticate(t);
        assertThat(tokens.stats().verifications()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(2)); // 1 min past exp: beyond the cache, and beyond the 30 s leeway
        assertThatThrownBy(() -> tokens.authenticate(t)).isInstanceOf(AuthException.class)
                .extracting(e -> ((AuthException) e).reason()).isEqualTo(AuthException.Reason.EXPIRED);
        assertThat(tokens.stats().verifications()).isEqualTo(2);
        assertThat(tokens.l1().size()).isZero();
    }

    @Test
    void floodOfOneBadTokenCostsOneVerification() {
        String bad = token("mallory", Duration.ofHours(1));
        String forged = bad.substring(0, bad.lastIndexOf('.') + 1) + Jwts.b64url(new byte[256]);
        for (int i = 0; i < 1000; i++) {
            assertThatThrownBy(() -> tokens.authenticate(forged)).isInstanceOf(AuthException.class);
        }
        assertThat(tokens.stats().verifications()).isEqualTo(1);
        assertThat(tokens.stats().negativeHits()).isEqualTo(999);
        assertThat(tokens.stats().failures(AuthException.Reason.SIGNATURE)).isEqualTo(1000);
        clock.advance(Duration.ofSeconds(11)); // the negative TTL is 10 s
        assertThatThrownBy(() -> tokens.authenticate(forged)).isInstanceOf(AuthException.class);
        assertThat(tokens.stats().verifications()).isEqualTo(2);
    }

    @Test
    void revocationByJtiOrHashHoldsOnCacheHits() throws Exception {
        String a = token("alice", Duration.ofHours(1));
        String b = token("bob", Duration.ofHours(1));
        VerifiedToken va = tokens.authenticate(a);
        tokens.authenticate(b);
        TokenCacheMXBean bean = new TokenCacheBean(() -> tokens, "local");
        assertThat(bean.revoke(va.jti(), 60)).contains("this instance");
        assertThat(bean.revoke(BearerTokens.sha256(b), 60)).contains("local policy");
        for (String t : List.of(a, b)) {
            assertThatThrownBy(() -> tokens.authenticate(t)).extracting(e -> ((AuthException) e).reason())
                    .isEqualTo(AuthException.Reason.REVOKED);
        }
        assertThat(tokens.stats().verifications()).isEqualTo(2); // refused on level-1 hits
        clock.advance(Duration.ofSeconds(61));
        assertThat(tokens.authenticate(a).subject()).isEqualTo("alice"); // the revocation's TTL ended
    }

    @Test
    void mxBeanReportsAndOperates() throws Exception {
        String t = token("alice", Duration.ofHours(1));
        tokens.authenticate(t);
        tokens.authenticate(t);
        var management = new dev.tollgate.observability.ManagementBeans();
        try {
            auth.expose(management, new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), "local");
            TokenCacheMXBean bean = JMX.newMXBeanProxy(ManagementFactory.getPlatformMBeanServer(),
                    dev.tollgate.observability.ManagementBeans.name("TokenCache", null), TokenCacheMXBean.class);
            assertThat(bean.getSize()).isEqualTo(1);
            assertThat(bean.getL1HitRatio()).isEqualTo(0.5);
            assertThat(bean.getPolicy()).isEqualTo("local");
            assertThat(bean.evictToken(BearerTokens.sha256(t))).isEqualTo("level 1: evicted");
            tokens.authenticate(t);
            assertThat(bean.getVerifications()).isEqualTo(2);
            assertThat(bean.clear()).isEqualTo("level 1: 1 entries");
            assertThat(bean.getSize()).isZero();
            assertThatThrownBy(() -> bean.revoke("x", 0)).isInstanceOf(IllegalArgumentException.class);
        } finally {
            management.close();
        }
    }
}
