package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.testsupport.Configs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Start-up validation of {@code gateway.auth.providers.*} and the routes' {@code auth.providers}. */
class ProviderConfigsTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final String CLIENT_SECRET = "s3cr3t-client-secret-value";

    private static String[] lines(String... extra) {
        List<String> all = new ArrayList<>(List.of("gateway.services.s.instances = http://10.0.0.5:8080",
                "gateway.routes.orders.path = /api/**", "gateway.routes.orders.service = s",
                "gateway.routes.orders.auth = jwt"));
        all.addAll(List.of(extra));
        return all.toArray(new String[0]);
    }

    private static List<String> problems(String... extra) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> Configs.of(lines(extra)));
        assertThat(e).as("expected a ConfigException").isNotNull();
        return e.problems();
    }

    private static List<String> provider(String name, String issuer) {
        return List.of("gateway.auth.providers." + name + ".keys.k-" + name + ".algorithm = HS256",
                "gateway.auth.providers." + name + ".keys.k-" + name + ".secret = " + SECRET,
                "gateway.auth.providers." + name + ".issuer = " + issuer);
    }

    private static String[] with(List<String> a, List<String> b, String... more) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }

    @Test
    void theSingleProviderKeysAreTheDefaultProvider() {
        GatewayConfig c = Configs.of(lines("gateway.auth.jwt.keys.k1.algorithm = HS256",
                "gateway.auth.jwt.keys.k1.secret = " + SECRET, "gateway.auth.jwt.audience = orders"));
        assertThat(c.auth().providers()).containsOnlyKeys("default");
        assertThat(c.auth().providers().get("default").jwt()).isEqualTo(c.auth().jwt());
        assertThat(c.routes().get(0).auth().providers()).isEmpty();
    }

    @Test
    void namedProvidersHaveTheirOwnSettingsAndRoutesNameThem() {
        GatewayConfig c = Configs.of(lines(with(provider("a", "https://a.example/"), provider("b", "https://b.example/"),
                "gateway.auth.providers.b.audience = orders, billing", "gateway.auth.providers.b.leeway = 5s",
                "gateway.auth.providers.b.roles-claim = realm_access.roles",
                "gateway.auth.providers.b.required-claims = sub",
                "gateway.routes.orders.auth.providers = b")));
        AuthConfig.Provider b = c.auth().providers().get("b");
        assertThat(c.auth().providers()).containsOnlyKeys("a", "b");
        assertThat(b.jwt().audiences()).containsExactly("orders", "billing");
        assertThat(b.jwt().leeway()).hasSeconds(5);
        assertThat(b.jwt().rolesClaims()).containsExactly("realm_access.roles");
        assertThat(b.jwt().requiredClaims()).containsExactly("sub");
        assertThat(c.auth().providers().get("a").jwt().scopesClaims()).containsExactly("scope", "scp");
        assertThat(c.routes().get(0).auth().providers()).containsExactly("b");
        assertThat(c.routes().get(0).auth().accepts("a")).isFalse();
    }

    @Test
    void aRouteNamingAnUnknownProviderFailsNamingTheKey() {
        assertThat(problems(with(provider("a", "https://a.example/"), List.of(),
                "gateway.routes.orders.auth.providers = a, nope")))
                .singleElement().asString().startsWith("gateway.routes.orders.auth.providers = \"nope\": expected names");
    }

    @Test
    void aProviderWithoutKeysFailsNamingTheKey() {
        assertThat(problems("gateway.auth.providers.a.issuer = https://a.example/"))
                .containsExactly("gateway.auth.providers.a.jwks-uri = (missing): expected a key source "
                        + "(gateway.auth.providers.a.jwks-uri or gateway.auth.providers.a.keys.<kid>.*) or "
                        + "gateway.auth.providers.a.introspection.uri");
    }

    @Test
    void twoProvidersClaimingOneIssuerFailNamingTheKey() {
        assertThat(problems(with(provider("a", "https://same.example/"), provider("b", "https://same.example/"))))
                .containsExactly("gateway.auth.providers.b.issuer = \"https://same.example/\": expected an issuer "
                        + "of this provider only: provider a claims it too");
        assertThat(problems(with(provider("a", "https://a.example/"), List.of(),
                "gateway.auth.jwt.keys.k1.algorithm = HS256", "gateway.auth.jwt.keys.k1.secret = " + SECRET,
                "gateway.auth.jwt.issuer = https://a.example/")))
                .containsExactly("gateway.auth.providers.a.issuer = \"https://a.example/\": expected an issuer "
                        + "of this provider only: provider default claims it too");
    }

    @Test
    void onlyOneProviderMayAcceptAnyIssuer() {
        assertThat(problems("gateway.auth.jwt.keys.k1.algorithm = HS256", "gateway.auth.jwt.keys.k1.secret = " + SECRET,
                "gateway.auth.providers.b.keys.k2.algorithm = HS256", "gateway.auth.providers.b.keys.k2.secret = " + SECRET))
                .containsExactly("gateway.auth.providers.b.issuer = (missing): expected the issuers of provider b: "
                        + "provider default already accepts tokens of any issuer");
    }

    @Test
    void theNameDefaultIsTakenByTheJwtKeys() {
        assertThat(problems(provider("default", "https://a.example/").toArray(new String[0])))
                .anySatisfy(p -> assertThat(p).startsWith("gateway.auth.providers.default.issuer = \"default\": "
                        + "expected a provider name"));
    }

    @Test
    void providersOnlyOnRoutesThatTakeBearerTokens() {
        assertThat(problems(with(provider("a", "https://a.example/"), List.of(),
                "gateway.auth.api-keys.k.sha256 = " + "ab".repeat(32), "gateway.auth.api-keys.k.owner = o",
                "gateway.routes.orders.auth = api-key", "gateway.routes.orders.auth.providers = a")))
                .containsExactly("gateway.routes.orders.auth.providers = \"a\": expected no providers on a route "
                        + "that accepts no bearer token (auth = jwt or jwt-or-api-key)");
    }

    @Test
    void introspectionNeedsClientCredentialsAndNeverShowsTheSecret() {
        List<String> p = problems("gateway.auth.providers.i.introspection.uri = https://idp.example/introspect",
                "gateway.auth.providers.i.introspection.client-secret = " + CLIENT_SECRET,
                "gateway.auth.providers.i.introspection.max-cache = soon");
        assertThat(p).contains("gateway.auth.providers.i.introspection.client-id = (missing): expected the "
                + "gateway's client id and client secret at the introspection endpoint");
        assertThat(p).anySatisfy(x -> assertThat(x).startsWith("gateway.auth.providers.i.introspection.max-cache"));
        assertThat(String.join("\n", p)).doesNotContain(CLIENT_SECRET);
        assertThat(Secrets.declared().isSecret("gateway.auth.providers.i.introspection.client-secret")).isTrue();
        assertThat(Secrets.declared().isSecret("gateway.auth.providers.i.keys.k1.secret")).isTrue();
    }

    @Test
    void anIntrospectionOnlyProviderNeedsNoKeysAndHidesItsSecret() {
        GatewayConfig c = Configs.of(lines("gateway.auth.providers.i.introspection.uri = https://idp.example/introspect",
                "gateway.auth.providers.i.introspection.client-id = gateway",
                "gateway.auth.providers.i.introspection.client-secret = " + CLIENT_SECRET));
        AuthConfig.Introspection i = c.auth().providers().get("i").introspection();
        assertThat(i.maxCache()).hasMinutes(5);
        assertThat(i.negativeCache()).hasSeconds(5);
        assertThat(i.timeout()).hasSeconds(1);
        assertThat(i.allTokens()).isFalse();
        assertThat(i.toString()).doesNotContain(CLIENT_SECRET).contains("****");
    }

    @Test
    void aRouteMayNotAcceptTwoIntrospectingProviders() {
        List<String> both = new ArrayList<>();
        for (String n : List.of("i", "j")) {
            both.add("gateway.auth.providers." + n + ".introspection.uri = https://" + n + ".example/introspect");
            both.add("gateway.auth.providers." + n + ".introspection.client-id = gateway");
            both.add("gateway.auth.providers." + n + ".introspection.client-secret = " + CLIENT_SECRET);
        }
        assertThat(problems(both.toArray(new String[0]))).singleElement().asString()
                .startsWith("gateway.routes.orders.auth.providers = (missing): expected at most one provider with "
                        + "introspection on a route");
        both.add("gateway.routes.orders.auth.providers = j");
        assertThat(Configs.of(lines(both.toArray(new String[0]))).routes().get(0).auth().providers()).containsExactly("j");
    }
}
