package dev.tollgate.auth;

import static dev.tollgate.auth.Fixtures.EC256;
import static dev.tollgate.auth.Fixtures.HS256;
import static dev.tollgate.auth.Fixtures.NOW;
import static dev.tollgate.auth.Fixtures.RSA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.testsupport.FakeClock;
import dev.tollgate.testsupport.Jwts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tokens of several identity providers: each checked by the provider of its issuer, with that provider's rules. */
class IdentityProvidersTest {
    private static final String A = "https://a.example/";
    private static final String B = "https://b.example/";
    private final FakeClock clock = new FakeClock(NOW);
    private final List<AuthRuntime> open = new ArrayList<>();

    private AuthRuntime auth(boolean withDefault) {
        List<String> lines = new ArrayList<>(List.of(
                "gateway.auth.providers.a.keys.ka.algorithm = RS256",
                "gateway.auth.providers.a.keys.ka.public-key = " + Jwts.pem(RSA.getPublic()).replace("\n", ""),
                "gateway.auth.providers.a.issuer = " + A,
                "gateway.auth.providers.a.audience = orders",
                "gateway.auth.providers.b.keys.kb.algorithm = ES256",
                "gateway.auth.providers.b.keys.kb.public-key = " + Jwts.pem(EC256.getPublic()).replace("\n", ""),
                "gateway.auth.providers.b.issuer = " + B,
                "gateway.auth.providers.b.roles-claim = realm_access.roles",
                "gateway.auth.providers.b.plan-claim = tier"));
        if (withDefault) {
            lines.add("gateway.auth.jwt.keys.d.algorithm = HS256");
            lines.add("gateway.auth.jwt.keys.d.secret = " + HS256);
        }
        AuthRuntime a = Fixtures.authRuntime(clock, null, lines);
        open.add(a);
        return a;
    }

    @AfterEach
    void close() {
        open.forEach(AuthRuntime::close);
    }

    private static String fromA(String subject) {
        return Jwts.claims("ka", NOW, subject).withIssuer(A).withAudience("orders").sign(Jwts.rs256(RSA));
    }

    private static String fromB(String subject) {
        return Jwts.claims("kb", NOW, subject).withIssuer(B).withClaim("tier", "gold")
                .withClaim("realm_access", Map.of("roles", List.of("ops"))).sign(Jwts.es(EC256, 256));
    }

    private static AuthException.Reason refusal(BearerTokens tokens, String token, Set<String> accepted) {
        AuthException e = catchThrowableOfType(AuthException.class, () -> tokens.authenticate(token, accepted));
        assertThat(e).as("refused").isNotNull();
        return e.reason();
    }

    @Test
    void eachTokenIsVerifiedByTheProviderOfItsIssuerWithItsClaimNames() throws Exception {
        BearerTokens tokens = auth(false).tokens();
        assertThat(tokens.authenticate(fromA("alice")).subject()).isEqualTo("alice");
        VerifiedToken bob = tokens.authenticate(fromB("bob"));
        assertThat(bob.roles()).containsExactly("ops");
        assertThat(bob.plan()).isEqualTo("gold");
    }

    @Test
    void anIssuerNoProviderClaimsIsRefusedWithoutAVerification() {
        BearerTokens tokens = auth(false).tokens();
        String stranger = Jwts.claims("ka", NOW, "eve").withIssuer("https://evil.example/").withAudience("orders")
                .sign(Jwts.rs256(RSA));
        String noIssuer = Jwts.claims("ka", NOW, "eve").withAudience("orders").sign(Jwts.rs256(RSA));
        assertThat(refusal(tokens, stranger, Set.of())).isEqualTo(AuthException.Reason.UNKNOWN_ISSUER);
        assertThat(refusal(tokens, noIssuer, Set.of())).isEqualTo(AuthException.Reason.UNKNOWN_ISSUER);
        assertThat(tokens.stats().verifications()).isZero();
    }

    @Test
    void theProviderOfAnyIssuerTakesTokensOfOtherIssuers() throws Exception {
        BearerTokens tokens = auth(true).tokens();
        String other = Jwts.claims("d", NOW, "carol").withIssuer("https://elsewhere.example/")
                .sign(com.auth0.jwt.algorithms.Algorithm.HMAC256(HS256));
        assertThat(tokens.authenticate(other).subject()).isEqualTo("carol");
        assertThat(tokens.authenticate(fromB("bob")).roles()).containsExactly("ops");
        // a token claiming b's issuer is checked with b's keys only, never with the default provider's
        String forged = Jwts.claims("d", NOW, "mallory").withIssuer(B).sign(com.auth0.jwt.algorithms.Algorithm.HMAC256(HS256));
        assertThat(refusal(tokens, forged, Set.of())).isEqualTo(AuthException.Reason.UNKNOWN_KEY);
    }

    @Test
    void aRouteRefusesTokensOfProvidersItDoesNotAccept() throws Exception {
        BearerTokens tokens = auth(true).tokens();
        assertThat(refusal(tokens, fromB("bob"), Set.of("a", "default"))).isEqualTo(AuthException.Reason.UNKNOWN_ISSUER);
        assertThat(tokens.stats().verifications()).isZero();
        assertThat(tokens.authenticate(fromA("alice"), Set.of("a", "default")).subject()).isEqualTo("alice");
        // once cached, still refused on a route that does not accept its provider
        tokens.authenticate(fromB("bob"), Set.of("b"));
        assertThat(refusal(tokens, fromB("bob"), Set.of("a"))).isEqualTo(AuthException.Reason.UNKNOWN_ISSUER);
    }

    @Test
    void eachProviderChecksItsOwnAudience() {
        BearerTokens tokens = auth(false).tokens();
        String wrongAudience = Jwts.claims("ka", NOW, "alice").withIssuer(A).withAudience("billing").sign(Jwts.rs256(RSA));
        assertThat(refusal(tokens, wrongAudience, Set.of())).isEqualTo(AuthException.Reason.CLAIMS);
    }

    @Test
    void aTokenThatIsNoJwtIsMalformedWithoutAnIntrospectingProvider() {
        BearerTokens tokens = auth(true).tokens();
        assertThat(refusal(tokens, "2YotnFZFEjr1zCsicMWpAA", Set.of())).isEqualTo(AuthException.Reason.MALFORMED);
        assertThat(refusal(tokens, "a.b.c", Set.of())).isEqualTo(AuthException.Reason.MALFORMED);
    }
}
