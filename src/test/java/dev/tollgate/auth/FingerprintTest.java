package dev.tollgate.auth;

import static dev.tollgate.auth.Fixtures.HS256;
import static dev.tollgate.auth.Fixtures.NOW;
import static dev.tollgate.auth.Fixtures.RSA;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.AuthConfig;
import dev.tollgate.testsupport.FakeClock;
import dev.tollgate.testsupport.Jwts;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fingerprint that binds cached results to the settings they were established under. */
class FingerprintTest {
    private static final String P = "gateway.auth.providers.p.";
    private final FakeClock clock = new FakeClock(NOW);

    private static List<String> base() {
        return new ArrayList<>(List.of(P + "keys.k1.algorithm = HS256", P + "keys.k1.secret = " + HS256,
                P + "issuer = https://idp.example/", P + "audience = orders, billing", P + "required-claims = sub",
                P + "leeway = 30s"));
    }

    private String fingerprint(List<String> lines) {
        try (ProviderRuntimes r = new ProviderRuntimes(Fixtures.config(lines).auth(), clock,
                n -> new LongAdder())) {
            return r.providers().fingerprints().get(0);
        }
    }

    private static List<String> replaced(String key, String value) {
        List<String> lines = base();
        lines.removeIf(l -> l.startsWith(key + " "));
        lines.add(key + " = " + value);
        return lines;
    }

    @Test
    void theSameSettingsGiveTheSameFingerprintWhateverTheOrder() {
        assertThat(fingerprint(base())).hasSize(32).isEqualTo(fingerprint(base()))
                .isEqualTo(fingerprint(replaced(P + "audience", "billing, orders")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"issuer=https://other.example/", "audience=orders", "required-claims=sub, jti",
        "leeway=5s", "keys.k1.secret=ffffffffffffffffffffffffffffffff", "roles-claim=groups",
        "scopes-claim=scp", "plan-claim=tier", "roles-claim=realm_access.roles, roles"})
    void everySettingThatDecidesAcceptanceOrThePrincipalChangesIt(String change) {
        int eq = change.indexOf('=');
        assertThat(fingerprint(replaced(P + change.substring(0, eq), change.substring(eq + 1))))
                .isNotEqualTo(fingerprint(base()));
    }

    @Test
    void theProviderNameAndTheKeyIdsChangeIt() {
        List<String> renamed = new ArrayList<>();
        base().forEach(l -> renamed.add(l.replace("providers.p.", "providers.q.")));
        assertThat(fingerprint(renamed)).isNotEqualTo(fingerprint(base()));
        List<String> otherKid = new ArrayList<>();
        base().forEach(l -> otherKid.add(l.replace("keys.k1.", "keys.k2.")));
        assertThat(fingerprint(otherKid)).isNotEqualTo(fingerprint(base()));
    }

    @Test
    void aJwksFingerprintFollowsTheKeySetInUse() {
        AtomicReference<String> document = new AtomicReference<>(Jwts.jwks(Jwts.jwk("a", RSA.getPublic(), "RS256")));
        AuthConfig.Jwt config = Fixtures.config(List.of()).auth().jwt();
        JwtChecks checks = new JwtChecks(config, clock);
        JwksKeySource jwks = new JwksKeySource("test", () -> document.get().getBytes(StandardCharsets.UTF_8), checks,
                java.time.Duration.ofSeconds(30), clock);
        jwks.refresh();
        TokenVerifier verifier = new TokenVerifier("default", config, Map.of(), jwks,
                new ClaimsReader(List.of(), List.of(), List.of()));
        String first = verifier.fingerprint();
        document.set(Jwts.jwks(Jwts.jwk("a", RSA.getPublic(), "RS256"), Jwts.jwk("b", Jwts.rsa().getPublic(), null)));
        jwks.refresh();
        String rotated = verifier.fingerprint();
        document.set(Jwts.jwks(Jwts.jwk("a", RSA.getPublic(), "RS256")));
        jwks.refresh();
        assertThat(rotated).isNotEqualTo(first);
        assertThat(verifier.fingerprint()).isEqualTo(first);
    }

    @Test
    void anIntrospectionFingerprintCoversItsEndpointAndClient() {
        List<String> lines = List.of(P + "introspection.uri = https://idp.example/introspect",
                P + "introspection.client-id = gateway", P + "introspection.client-secret = secret-one");
        String fp = introspection(lines);
        assertThat(introspection(List.of(P + "introspection.uri = https://idp.example/introspect",
                P + "introspection.client-id = gateway", P + "introspection.client-secret = secret-two"))).isEqualTo(fp);
        assertThat(introspection(List.of(P + "introspection.uri = https://idp.example/other",
                P + "introspection.client-id = gateway", P + "introspection.client-secret = secret-one"))).isNotEqualTo(fp);
        List<String> audience = new ArrayList<>(lines);
        audience.add(P + "audience = orders");
        assertThat(introspection(audience)).isNotEqualTo(fp);
    }

    private String introspection(List<String> lines) {
        try (ProviderRuntimes r = new ProviderRuntimes(Fixtures.config(lines).auth(), clock,
                n -> new LongAdder())) {
            return r.providers().fingerprints().get(0);
        }
    }

    @Test
    void thumbprintsAreThoseOfRfc7638() throws Exception {
        // RFC 7638 section 3.1
        String n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4"
                + "n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZ"
                + "Hzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kE"
                + "gU8awapJzKnqDKgw";
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                new BigInteger(1, Base64.getUrlDecoder().decode(n)), BigInteger.valueOf(65537)));
        assertThat(Thumbprints.of(key, null)).isEqualTo("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }
}
