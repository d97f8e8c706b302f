package dev.tollgate.cors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.CorsConfig;
import dev.tollgate.http.HeaderField;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CorsPolicyTest {
    private static final String APP = "https://app.example.com";
    private final CorsPolicy listed = new CorsPolicy(new CorsConfig(List.of(APP, "https://*.example.org"),
            List.of("PUT", "DELETE"), List.of("content-type", "x-tenant"), List.of("X-Request-Id", "ETag"), false,
            Duration.ofMinutes(10)));

    private static Map<String, String> map(List<HeaderField> headers) {
        Map<String, String> out = new LinkedHashMap<>();
        headers.forEach(h -> out.put(h.name(), h.value()));
        return out;
    }

    private static Map<String, String> actual(CorsPolicy policy, String origin, boolean varied) {
        Map<String, String> out = new LinkedHashMap<>();
        policy.actual(origin, varied, out::put);
        return out;
    }

    @Test
    void anAllowedPreflightNamesTheOriginMethodsHeadersAndMaxAge() {
        CorsPolicy.Preflight p = listed.preflight(APP, "PUT", List.of("Content-Type, X-Tenant"));
        assertThat(p.allowed()).isTrue();
        assertThat(map(p.headers())).containsExactly(
                Map.entry("Access-Control-Allow-Origin", APP),
                Map.entry("Access-Control-Allow-Methods", "PUT, DELETE"),
                Map.entry("Access-Control-Allow-Headers", "content-type, x-tenant"),
                Map.entry("Access-Control-Max-Age", "600"),
                Map.entry("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"));
    }

    @Test
    void aPreflightFromAnotherOriginIsDenied() {
        CorsPolicy.Preflight p = listed.preflight("https://evil.test", "PUT", List.of());
        assertThat(p.allowed()).isFalse();
        assertThat(p.detail()).isEqualTo("This origin may not make cross-origin requests to this route.");
        assertThat(p.headers()).isEmpty();
    }

    @Test
    void aMethodOutsideTheListIsDeniedButSafelistedMethodsAlwaysPass() {
        assertThat(listed.preflight(APP, "PATCH", List.of()).detail())
                .isEqualTo("The requested method is not allowed cross-origin on this route.");
        assertThat(listed.preflight(APP, "put", List.of()).allowed()).isFalse(); // methods are case-sensitive
        for (String m : List.of("GET", "HEAD", "POST", "DELETE")) {
            assertThat(listed.preflight(APP, m, List.of()).allowed()).as(m).isTrue();
        }
    }

    @Test
    void everyRequestedHeaderMustBeAllowedInAnyCaseAndField() {
        assertThat(listed.preflight(APP, "PUT", List.of("x-tenant", " CONTENT-TYPE ,,")).allowed()).isTrue();
        assertThat(listed.preflight(APP, "PUT", List.of("x-tenant", "authorization")).detail())
                .isEqualTo("A requested header is not allowed cross-origin on this route.");
        assertThat(listed.preflight(APP, "PUT", List.of("x tenant")).allowed()).isFalse();
    }

    @Test
    void anOpenPolicyWithoutCredentialsAnswersStar() {
        CorsPolicy open = new CorsPolicy(new CorsConfig(List.of("*"), List.of("*"), List.of("*"), List.of("*"),
                false, null));
        CorsPolicy.Preflight p = open.preflight("https://any.test", "PATCH", List.of("authorization, x-a"));
        assertThat(map(p.headers())).containsExactly(
                Map.entry("Access-Control-Allow-Origin", "*"),
                Map.entry("Access-Control-Allow-Methods", "*"),
                // * never covers Authorization in a browser, so the requested names are sent
                Map.entry("Access-Control-Allow-Headers", "authorization, x-a"),
                Map.entry("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"));
        assertThat(actual(open, "https://any.test", false)).containsExactly(
                Map.entry("Access-Control-Allow-Origin", "*"),
                Map.entry("Access-Control-Expose-Headers", "*"),
                Map.entry("Vary", "Origin"));
    }

    @Test
    void withCredentialsTheOriginAndMethodAreEchoedNeverStar() {
        CorsPolicy creds = new CorsPolicy(new CorsConfig(List.of("https://*.example.org"), List.of("*"),
                List.of("*"), List.of(), true, null));
        CorsPolicy.Preflight p = creds.preflight("https://a.example.org", "PATCH", List.of());
        assertThat(map(p.headers())).containsExactly(
                Map.entry("Access-Control-Allow-Origin", "https://a.example.org"),
                Map.entry("Access-Control-Allow-Credentials", "true"),
                Map.entry("Access-Control-Allow-Methods", "PATCH"),
                Map.entry("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"));
        assertThat(actual(creds, "https://a.example.org", false)).containsExactly(
                Map.entry("Access-Control-Allow-Origin", "https://a.example.org"),
                Map.entry("Access-Control-Allow-Credentials", "true"),
                Map.entry("Vary", "Origin"));
    }

    @Test
    void anActualResponseNamesTheOriginAndExposedHeadersOnlyForAnAllowedOrigin() {
        assertThat(actual(listed, "https://x.example.org", false)).containsExactly(
                Map.entry("Access-Control-Allow-Origin", "https://x.example.org"),
                Map.entry("Access-Control-Expose-Headers", "X-Request-Id, ETag"),
                Map.entry("Vary", "Origin"));
        assertThat(actual(listed, "https://evil.test", false)).containsExactly(Map.entry("Vary", "Origin"));
        assertThat(actual(listed, null, false)).containsExactly(Map.entry("Vary", "Origin"));
        assertThat(actual(listed, null, true)).isEmpty();
    }

    @Test
    void recognizesPreflightsCorsHeadersAndVary() {
        assertThat(CorsPolicy.isPreflight("OPTIONS", APP, "PUT")).isTrue();
        assertThat(CorsPolicy.isPreflight("OPTIONS", APP, null)).isFalse();
        assertThat(CorsPolicy.isPreflight("OPTIONS", null, "PUT")).isFalse();
        assertThat(CorsPolicy.isPreflight("PUT", APP, "PUT")).isFalse();
        assertThat(CorsPolicy.isCorsResponseHeader("access-control-allow-origin")).isTrue();
        assertThat(CorsPolicy.isCorsResponseHeader("vary")).isFalse();
        assertThat(CorsPolicy.variesByOrigin("Accept-Encoding, origin")).isTrue();
        assertThat(CorsPolicy.variesByOrigin("*")).isTrue();
        assertThat(CorsPolicy.variesByOrigin("Accept-Encoding, Origin-Agent")).isFalse();
    }
}
