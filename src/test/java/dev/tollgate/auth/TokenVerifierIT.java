package dev.tollgate.auth;

import static dev.tollgate.auth.Fixtures.NOW;
import static dev.tollgate.auth.Fixtures.RSA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.algorithms.Algorithm;
import dev.tollgate.testsupport.FakeClock;
import dev.tollgate.testsupport.JwksServer;
import dev.tollgate.testsupport.Jwts;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every algorithm accepted with its own key, and every hostile token refused with its reason. */
class TokenVerifierIT {
    private final FakeClock clock = new FakeClock(NOW);
    private JwksServer attacker;
    private AuthRuntime auth;

    @BeforeEach
    void setUp() throws Exception {
        attacker = new JwksServer(Jwts.jwks());
        List<String> lines = new ArrayList<>(Fixtures.staticKeys());
        lines.add("gateway.auth.jwt.issuer = https://issuer.example");
        lines.add("gateway.auth.jwt.audience = orders, billing");
        auth = Fixtures.authRuntime(clock, null, lines);
    }

    @AfterEach
    void tearDown() {
        auth.close();
        attacker.close();
    }

    private com.auth0.jwt.JWTCreator.Builder good(String kid) {
        return Jwts.claims(kid, NOW, "alice").withIssuer("https://issuer.example").withAudience("orders");
    }

    private AuthException.Reason refusal(String token) {
        try {
            auth.tokens().authenticate(token);
        } catch (AuthException e) {
            return e.reason();
        }
        throw new AssertionError("token accepted");
    }

    @Test
    void acceptsEveryAlgorithmWithItsOwnKey() throws Exception {
        Map<String, Algorithm> algs = Map.of(
                "rs256", Jwts.rs256(RSA),
                "rs384", Algorithm.RSA384((java.security.interfaces.RSAKey) RSA.getPrivate()),
                "rs512", Algorithm.RSA512((java.security.interfaces.RSAKey) RSA.getPrivate()),
                "es256", Jwts.es(Fixtures.EC256, 256), "es384", Jwts.es(Fixtures.EC384, 384),
                "es512", Jwts.es(Fixtures.EC521, 521), "hs256", Algorithm.HMAC256(Fixtures.HS256),
                "hs384", Algorithm.HMAC384(Fixtures.HS384), "hs512", Algorithm.HMAC512(Fixtures.HS512));
        for (Map.Entry<String, Algorithm> e : algs.entrySet()) {
            VerifiedToken t = auth.tokens().authenticate(good(e.getKey()).sign(e.getValue()));
            assertThat(t.subject()).as(e.getKey()).isEqualTo("alice");
        }
        assertThat(auth.tokens().stats().verifications()).isEqualTo(9);
    }

    @Test
    void rejectsAlgNone() {
        String token = good("rs256").sign(Algorithm.none());
        assertThat(refusal(token)).isEqualTo(AuthException.Reason.ALGORITHM);
        String noKid = Jwts.raw("{\"alg\":\"none\"}", "{\"sub\":\"x\",\"exp\":1999999999}", new byte[0]);
        assertThat(refusal(noKid)).isEqualTo(AuthException.Reason.UNKNOWN_KEY);
    }

    @Test
    void rejectsStrippedSignature() {
        String token = good("rs256").sign(Jwts.rs256(RSA));
        assertThat(refusal(token.substring(0, token.lastIndexOf('.') + 1))).isEqualTo(AuthException.Reason.SIGNATURE);
        assertThat(refusal(token.substring(0, token.lastIndexOf('.')))).isEqualTo(AuthException.Reason.MALFORMED);
    }

    @Test
    void rejectsHsTokenSignedWithTheRsaPublicKey() {
        byte[] publicKeyAsSecret = Jwts.pem(RSA.getPublic()).getBytes(StandardCharsets.US_ASCII);
        String token = good("rs256").sign(Algorithm.HMAC256(publicKeyAsSecret));
        assertThat(refusal(token)).isEqualTo(AuthException.Reason.ALGORITHM);
        String der = good("rs256").sign(Algorithm.HMAC256(RSA.getPublic().getEncoded()));
        assertThat(refusal(der)).isEqualTo(AuthException.Reason.ALGORITHM);
    }

    @Test
    void rejectsEs256SignatureWithRAndSZero() {
        String token = Jwts.raw("{\"alg\":\"ES256\",\"kid\":\"es256\"}",
                "{\"sub\":\"alice\",\"exp\":" + NOW.plusSeconds(60).getEpochSecond() + "}", new byte[64]);
        assertThat(refusal(token)).isEqualTo(AuthException.Reason.SIGNATURE);
    }

    @Test
    void rejectsUnknownKid() {
        assertThat(refusal(good("nobody").sign(Jwts.rs256(RSA)))).isEqualTo(AuthException.Reason.UNKNOWN_KEY);
    }

    @Test
    void rejectsMalformedBase64AndJson() {
        assertThat(refusal("not-a-token")).isEqualTo(AuthException.Reason.MALFORMED);
        assertThat(refusal("!!!.###.$$$")).isEqualTo(AuthException.Reason.MALFORMED);
        assertThat(refusal(Jwts.raw("{\"alg\":\"RS256\",\"kid\":\"rs256\"", "{}", new byte[1])))
                .isEqualTo(AuthException.Reason.MALFORMED);
        assertThat(refusal(Jwts.raw("[\"RS256\"]", "{}", new byte[1]))).isEqualTo(AuthException.Reason.MALFORMED);
        assertThat(refusal(Jwts.raw("{\"alg\":\"RS256\",\"kid\":\"rs256\"}", "[1,2]", new byte[1])))
                .isEqualTo(AuthException.Reason.MALFORMED);
    }

    @Test
    void rejectsOversizedTokenBeforeAnyWork() {
        String big = good("rs256").withClaim("pad", "x".repeat(9000)).sign(Jwts.rs256(RSA));
        assertThat(refusal(big)).isEqualTo(AuthException.Reason.TOO_LARGE);
        assertThat(auth.tokens().stats().verifications()).isZero();
    }

    @Test
    void ignoresJkuX5uAndEmbeddedJwk() {
        java.security.KeyPair evil = Jwts.rsa();
        attacker.serve(Jwts.jwks(Jwts.jwk("rs256", evil.getPublic(), "RS256")));
        Map<String, Object> header = Map.of("jku", attacker.uri(), "x5u", attacker.uri(),
                "jwk", Map.of("kty", "RSA", "n", "AQAB", "e", "AQAB"));
        String token = good("rs256").withHeader(header).sign(Jwts.rs256(evil));
        assertThat(refusal(token)).isEqualTo(AuthException.Reason.SIGNATURE);
        String unknownKid = good("evil").withHeader(header).sign(Jwts.rs256(evil));
        assertThat(refusal(unknownKid)).isEqualTo(AuthException.Reason.UNKNOWN_KEY);
        assertThat(attacker.requests()).isZero();
    }

    @Test
    void refusesPathAndUrlLikeKidsWithoutLookingThemUp() {
        for (String kid : List.of("../../etc/passwd", "/etc/passwd", attacker.uri(), "a\\b", "x y")) {
            assertThat(refusal(good(kid).sign(Jwts.rs256(RSA)))).as(kid).isEqualTo(AuthException.Reason.UNKNOWN_KEY);
        }
        assertThat(TokenVerifier.isPlainKid("abc/def+ghi=")).isTrue(); // base64 kids stay usable
        assertThat(attacker.requests()).isZero();
    }

    @Test
    void enforcesExpNbfIatIssuerAndAudience() {
        Algorithm rs = Jwts.rs256(RSA);
        String noExp = com.auth0.jwt.JWT.create().withKeyId("rs256").withSubject("alice")
                .withIssuer("https://issuer.example").withAudience("orders").sign(rs);
        assertThat(refusal(noExp)).isEqualTo(AuthException.Reason.CLAIMS);
        assertThat(refusal(good("rs256").withExpiresAt(NOW.minusSeconds(31)).sign(rs)))
                .isEqualTo(AuthException.Reason.EXPIRED);
        assertThat(refusal(good("rs256").withNotBefore(NOW.plusSeconds(60)).sign(rs)))
                .isEqualTo(AuthException.Reason.NOT_YET_VALID);
        assertThat(refusal(good("rs256").withIssuedAt(NOW.plusSeconds(60)).sign(rs)))
                .isEqualTo(AuthException.Reason.CLAIMS);
        assertThat(refusal(good("rs256").withIssuer("https://other.example").sign(rs)))
                .isEqualTo(AuthException.Reason.CLAIMS);
        assertThat(refusal(good("rs256").withAudience("elsewhere").sign(rs))).isEqualTo(AuthException.Reason.CLAIMS);
    }

    @Test
    void acceptsWithinLeewayAndRefusesUnknownCriticalHeaders() throws Exception {
        Algorithm rs = Jwts.rs256(RSA);
        assertThat(auth.tokens().authenticate(good("rs256").withNotBefore(NOW.plusSeconds(20)).sign(rs)).subject())
                .isEqualTo("alice");
        String crit = good("rs256").withHeader(Map.of("crit", List.of("exp-ext"), "exp-ext", 1)).sign(rs);
        assertThat(refusal(crit)).isEqualTo(AuthException.Reason.MALFORMED);
    }
}
