package dev.tollgate.auth;

import static dev.tollgate.auth.Fixtures.NOW;
import static dev.tollgate.auth.Fixtures.RSA;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.AuthConfig;
import dev.tollgate.testsupport.FakeClock;
import dev.tollgate.testsupport.Jwts;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Per-route policy: statuses, RFC 6750 challenges, roles and scopes, API keys. */
class AuthenticatorTest {
    private static final String KEY = "k-3f9a2c7e1b";
    private final FakeClock clock = new FakeClock(NOW);
    private final AuthRuntime auth = Fixtures.authRuntime(clock, null, List.of(
            "gateway.auth.jwt.keys.k1.algorithm = RS256",
            "gateway.auth.jwt.keys.k1.public-key = " + Jwts.pem(RSA.getPublic()).replace("\n", ""),
            "gateway.auth.api-keys.partner.sha256 = " + java.util.HexFormat.of().formatHex(ApiKeys.sha256(KEY)),
            "gateway.auth.api-keys.partner.owner = acme",
            "gateway.auth.api-keys.partner.plan = silver",
            "gateway.auth.api-keys.partner.roles = partner"));
    private final Authenticator authenticator = auth.authenticator();

    @AfterEach
    void close() {
        auth.close();
    }

    private static AuthConfig.RouteAuth route(AuthConfig.Policy p, Set<String> roles, Set<String> scopes) {
        return new AuthConfig.RouteAuth(p, roles, scopes, false);
    }

    private static String bearer(List<String> roles, String scope) {
        return "Bearer " + Jwts.claims("k1", NOW, "alice").withClaim("roles", roles).withClaim("scope", scope)
                .withClaim("plan", "gold").sign(Jwts.rs256(RSA));
    }

    @Test
    void missingCredentialIs401InvalidTokenLikeEveryOther401() {
        // deliberately past RFC 6750 section 3.1's "SHOULD NOT include an error code"
        Authenticator.Decision o = authenticator.authenticate(route(AuthConfig.Policy.JWT, Set.of(), Set.of()),
                List.of(), List.of());
        assertThat(o.status()).isEqualTo(401);
        assertThat(o.challenge()).isEqualTo(
                "Bearer realm=\"tollgate\", error=\"invalid_token\", error_description=\"No bearer token was sent.\"");
        assertThat(o.detail()).isEqualTo("This route requires a bearer token.");
        Authenticator.Decision basic = authenticator.authenticate(route(AuthConfig.Policy.JWT, Set.of(), Set.of()),
                List.of("Basic YWxpY2U6cHc="), List.of(KEY));
        assertThat(basic.status()).isEqualTo(401);
        assertThat(basic.challenge()).isEqualTo(o.challenge());
        Authenticator.Decision key = authenticator.authenticate(route(AuthConfig.Policy.API_KEY, Set.of(), Set.of()),
                List.of(bearer(List.of(), "")), List.of());
        assertThat(key.status()).isEqualTo(401);
        assertThat(key.challenge()).isEqualTo("ApiKey realm=\"tollgate\", error=\"invalid_token\", "
                + "error_description=\"No API key was sent.\", header=\"X-API-Key\"");
        Authenticator.Decision either = authenticator.authenticate(
                route(AuthConfig.Policy.JWT_OR_API_KEY, Set.of(), Set.of()), List.of(), List.of());
        assertThat(either.status()).isEqualTo(401);
        assertThat(either.challenge()).isEqualTo("Bearer realm=\"tollgate\", error=\"invalid_token\", "
                + "error_description=\"No bearer token or API key was sent.\", ApiKey realm=\"tollgate\", "
                + "error=\"invalid_token\", error_description=\"No bearer token or API key was sent.\", "
                + "header=\"X-API-Key\"");
    }

    @Test
    void nonBearerAuthorizationFallsBackToTheApiKeyOnEitherRoutes() {
        AuthConfig.RouteAuth r = route(AuthConfig.Policy.JWT_OR_API_KEY, Set.of(), Set.of());
        for (String authorization : List.of("Basic YWxpY2U6cHc=", "Digest username=\"a\"", "Bearer ", "bearer")) {
            Authenticator.Decision ok = authenticator.authenticate(r, List.of(authorization), List.of(KEY));
            assertThat(ok.status()).as(authorization).isEqualTo(200);
            assertThat(ok.identity().method()).isEqualTo(Identity.API_KEY);
            assertThat(ok.identity().principal().subject()).isEqualTo("acme");
            Authenticator.Decision badKey = authenticator.authenticate(r, List.of(authorization), List.of(KEY + "x"));
            assertThat(badKey.status()).isEqualTo(401);
            assertThat(badKey.challenge()).contains("error_description=\"The API key is not valid.\"");
            Authenticator.Decision neither = authenticator.authenticate(r, List.of(authorization), List.of());
            assertThat(neither.status()).isEqualTo(401);
            assertThat(neither.challenge()).contains("error_description=\"No bearer token or API key was sent.\"");
        }
    }

    @Test
    void invalidTokenIs401InvalidToken() {
        Authenticator.Decision o = authenticator.authenticate(route(AuthConfig.Policy.JWT, Set.of(), Set.of()),
                List.of("Bearer abc.def.ghi"), List.of());
        assertThat(o.status()).isEqualTo(401);
        assertThat(o.challenge()).isEqualTo("Bearer realm=\"tollgate\", error=\"invalid_token\", "
                + "error_description=\"The token is malformed.\"");
    }

    @Test
    void twoAuthorizationHeadersAre400() {
        String t = bearer(List.of(), "");
        Authenticator.Decision o = authenticator.authenticate(route(AuthConfig.Policy.JWT, Set.of(), Set.of()),
                List.of(t, t), List.of());
        assertThat(o.status()).isEqualTo(400);
        assertThat(o.challenge()).contains("error=\"invalid_request\"");
        assertThat(authenticator.authenticate(route(AuthConfig.Policy.API_KEY, Set.of(), Set.of()), List.of(),
                List.of(KEY, KEY)).status()).isEqualTo(400);
    }

    @Test
    void twoHeadersAre400OnlyWhereTheRouteReadsThem() {
        String t = bearer(List.of(), "");
        AuthConfig.RouteAuth either = route(AuthConfig.Policy.JWT_OR_API_KEY, Set.of(), Set.of());
        AuthConfig.RouteAuth key = route(AuthConfig.Policy.API_KEY, Set.of(), Set.of());
        // a route accepting JWT reads Authorization: two of them are ambiguous, whatever their scheme
        Authenticator.Decision twoBasic = authenticator.authenticate(either, List.of("Basic YQ==", "Basic Yg=="),
                List.of(KEY));
        assertThat(twoBasic.status()).isEqualTo(400);
        assertThat(twoBasic.detail()).isEqualTo("The request carries more than one Authorization header.");
        assertThat(authenticator.authenticate(either, List.of(t, "Basic YQ=="), List.of()).status()).isEqualTo(400);
        // an api-key route never reads Authorization
        assertThat(authenticator.authenticate(key, List.of(t, "Basic YQ=="), List.of(KEY)).status()).isEqualTo(200);
        // API-key headers matter only when the API key is the credential used
        assertThat(authenticator.authenticate(either, List.of(t), List.of(KEY, "other")).status()).isEqualTo(200);
        Authenticator.Decision twoKeys = authenticator.authenticate(either, List.of("Basic YQ=="), List.of(KEY, KEY));
        assertThat(twoKeys.status()).isEqualTo(400);
        assertThat(twoKeys.detail()).isEqualTo("The request carries more than one X-API-Key header.");
    }

    @Test
    void rolesAnyOfAndScopesAllOf() {
        AuthConfig.RouteAuth r = route(AuthConfig.Policy.JWT, Set.of("admin", "ops"), Set.of("orders:read"));
        Authenticator.Decision ok = authenticator.authenticate(r, List.of(bearer(List.of("ops"), "orders:read x")),
                List.of());
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.identity().principal()).isEqualTo(
                new dev.tollgate.auth.Principal("alice", null, Set.of("ops"), "gold"));
        Authenticator.Decision noRole = authenticator.authenticate(r, List.of(bearer(List.of("user"), "orders:read")),
                List.of());
        assertThat(noRole.status()).isEqualTo(403);
        assertThat(noRole.challenge()).isEqualTo("Bearer realm=\"tollgate\", error=\"insufficient_scope\", "
                + "error_description=\"The credential lacks a required role or scope.\", scope=\"orders:read\"");
        assertThat(authenticator.authenticate(r, List.of(bearer(List.of("admin"), "x")), List.of()).status())
                .isEqualTo(403);
    }

    @Test
    void apiKeyGivesItsOwnerPlanAndRoles() {
        AuthConfig.RouteAuth r = route(AuthConfig.Policy.JWT_OR_API_KEY, Set.of("partner"), Set.of());
        Authenticator.Decision ok = authenticator.authenticate(r, List.of(), List.of(KEY));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.identity().method()).isEqualTo("api-key");
        assertThat(ok.identity().principal()).isEqualTo(new Principal("acme", "partner", Set.of("partner"), "silver"));
        Authenticator.Decision bad = authenticator.authenticate(r, List.of(), List.of(KEY + "x"));
        assertThat(bad.status()).isEqualTo(401);
        assertThat(bad.detail()).isEqualTo("The API key is not valid.");
        assertThat(auth.tokens().stats().failures(AuthException.Reason.UNKNOWN_API_KEY)).isEqualTo(1);
        // a bearer token wins over an API key on jwt-or-api-key routes
        assertThat(authenticator.authenticate(r, List.of(bearer(List.of("partner"), "")), List.of(KEY + "x"))
                .identity().method()).isEqualTo("jwt");
    }

    @Test
    void userContextHeadersAreSafeAndNormalized() {
        UserContext uc = auth.authenticator().userContext();
        assertThat(uc.isUserContext("x_user_ID")).isTrue();
        assertThat(uc.isUserContext("X-USER-ROLES")).isTrue();
        assertThat(uc.isUserContext("X-User")).isFalse();
        Identity id = new Identity("jwt", new Principal("a\r\nX-Admin: 1 é", null, Set.of("b", "a"), null),
                Set.of("s"), null);
        assertThat(uc.headers(id)).extracting(h -> h.name() + "=" + h.value()).containsExactly(
                "X-User-Id=a%0D%0AX-Admin: 1 %C3%A9", "X-User-Roles=a,b", "X-User-Scopes=s", "X-Auth-Method=jwt");
    }
}
