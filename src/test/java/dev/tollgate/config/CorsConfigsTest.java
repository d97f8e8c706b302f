package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.Configs;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CorsConfigsTest {
    private static final String P = "gateway.routes.api.cors.";

    @Test
    void aRouteWithoutAllowedOriginsHasNoCorsPolicy() {
        assertThat(Configs.withApiRoute().routes().get(0).cors()).isNull();
    }

    @Test
    void everyKeyIsReadAndNormalized() {
        CorsConfig c = Configs.withApiRoute(
                P + "allowed-origins = https://App.Example.com, https://*.example.com:8443, http://[::1]:3000",
                P + "allowed-methods = put, DELETE",
                P + "allowed-headers = Content-Type, X-Tenant",
                P + "exposed-headers = X-Request-Id, ETag",
                P + "allow-credentials = true",
                P + "max-age = 10m").routes().get(0).cors();
        assertThat(c).isEqualTo(new CorsConfig(
                List.of("https://app.example.com", "https://*.example.com:8443", "http://[::1]:3000"),
                List.of("PUT", "DELETE"), List.of("content-type", "x-tenant"), List.of("X-Request-Id", "ETag"),
                true, Duration.ofMinutes(10)));
    }

    @Test
    void defaultsAreNoExtraMethodsHeadersOrCredentialsAndNoMaxAge() {
        CorsConfig c = Configs.withApiRoute(P + "allowed-origins = *").routes().get(0).cors();
        assertThat(c).isEqualTo(new CorsConfig(List.of("*"), List.of(), List.of(), List.of(), false, null));
    }

    @Test
    void anyOriginWithCredentialsIsAConfigError() {
        assertThat(Configs.problemsWithApiRoute(P + "allowed-origins = *", P + "allow-credentials = true"))
                .singleElement().asString()
                .startsWith(P + "allowed-origins = \"*\": expected origins named or matched by a pattern");
    }

    @Test
    void exposingEveryHeaderWithCredentialsIsAConfigError() {
        assertThat(Configs.problemsWithApiRoute(P + "allowed-origins = https://app.example.com",
                P + "allow-credentials = true", P + "exposed-headers = *"))
                .singleElement().asString().startsWith(P + "exposed-headers = \"*\": expected header names when");
    }

    @Test
    void malformedOriginsAreRejectedByName() {
        List<String> problems = Configs.problemsWithApiRoute(P + "allowed-origins = https://app.example.com/, "
                + "app.example.com, https://api.*.example.com, https://x.example.com:443, http://x.example.com:70000, "
                + "null, https://*.example.com/api");
        assertThat(problems).hasSize(7).allSatisfy(p -> assertThat(p).startsWith(P + "allowed-origins = \""));
        assertThat(problems.get(0)).contains("\"https://app.example.com/\": expected origins like");
        assertThat(problems.get(3)).contains("left out when it is the scheme's default");
    }

    @Test
    void otherCorsKeysWithoutOriginsAreAConfigError() {
        assertThat(Configs.problemsWithApiRoute(P + "allowed-methods = PUT"))
                .singleElement().asString().startsWith(P + "allowed-origins = (missing): expected a value when other");
    }

    @Test
    void aMisspelledCorsKeyIsUnknown() {
        assertThat(Configs.problemsWithApiRoute(P + "allowed-origins = *", P + "allow-origins = *"))
                .singleElement().asString().contains(P + "allow-origins: unknown key");
    }

    @Test
    void starMixedWithNamesAndBadValuesAreRejected() {
        List<String> problems = Configs.problemsWithApiRoute(P + "allowed-origins = *, https://app.example.com",
                P + "allowed-methods = GET, B/D", P + "allowed-headers = X Bad", P + "max-age = 1500ms",
                P + "allow-credentials = yes");
        assertThat(problems).hasSize(5);
        assertThat(String.join("\n", problems))
                .contains(P + "allowed-origins = \"*, https://app.example.com\": expected either * alone")
                .contains(P + "allowed-methods = \"B/D\"")
                .contains(P + "allowed-headers = \"X Bad\"")
                .contains(P + "max-age = \"1500ms\": expected whole seconds")
                .contains(P + "allow-credentials = \"yes\": expected true or false");
    }
}
