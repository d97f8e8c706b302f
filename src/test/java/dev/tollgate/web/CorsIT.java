package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.Jwts;
import dev.tollgate.testsupport.UpstreamServer;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * CORS through the real WAR and a real upstream: preflights answered by the gateway (before authentication, never
 * reaching the upstream), 403 for what a route does not allow, the CORS fields of actual responses and of the
 * gateway's own problems, the upstream's CORS fields replaced, and routes without CORS left as they were.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class CorsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP = "https://app.example.com";
    private static final String SECRET = "cors-it-secret-0123456789abcdef0123456789";
    private static UpstreamServer upstream;
    private final HttpClient http = HttpClient.newHttpClient();

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        upstream = new UpstreamServer("cors");
        return GatewayDeployment.war(String.join("\n",
                "gateway.services.up.instances = " + upstream.uri(),
                "gateway.auth.jwt.keys.it.algorithm = HS256",
                "gateway.auth.jwt.keys.it.secret = " + SECRET,
                // a JWT route open to one origin and a pattern, with extra methods and headers
                "gateway.routes.app.path = /app/**",
                "gateway.routes.app.service = up",
                "gateway.routes.app.strip-prefix = /app",
                "gateway.routes.app.auth = jwt",
                "gateway.routes.app.cors.allowed-origins = " + APP + ", https://*.example.org",
                "gateway.routes.app.cors.allowed-methods = PUT, DELETE",
                "gateway.routes.app.cors.allowed-headers = Authorization, Content-Type",
                "gateway.routes.app.cors.exposed-headers = X-Request-Id, WWW-Authenticate",
                "gateway.routes.app.cors.max-age = 10m",
                // credentials, and a route that takes PUT only
                "gateway.routes.creds.path = /creds/**",
                "gateway.routes.creds.methods = PUT",
                "gateway.routes.creds.service = up",
                "gateway.routes.creds.strip-prefix = /creds",
                "gateway.routes.creds.cors.allowed-origins = " + APP,
                "gateway.routes.creds.cors.allowed-methods = *",
                "gateway.routes.creds.cors.allow-credentials = true",
                // open to any origin; once rate limited, once not
                "gateway.rate-limit.rules.one.limit = 1",
                "gateway.rate-limit.rules.one.window = 1h",
                "gateway.routes.limited.path = /limited/**",
                "gateway.routes.limited.service = up",
                "gateway.routes.limited.strip-prefix = /limited",
                "gateway.routes.limited.rate-limit = one",
                "gateway.routes.limited.cors.allowed-origins = *",
                "gateway.routes.open.path = /open/**",
                "gateway.routes.open.service = up",
                "gateway.routes.open.strip-prefix = /open",
                "gateway.routes.open.cors.allowed-origins = *",
                // no CORS: the upstream's own CORS handling is untouched
                "gateway.routes.plain.path = /plain/**",
                "gateway.routes.plain.service = up",
                "gateway.routes.plain.strip-prefix = /plain"));
    }

    @AfterAll
    static void stop() throws Exception {
        upstream.close();
    }

    private HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String token() {
        Instant now = Instant.now();
        return "Bearer " + Jwts.claims("it", now, "alice").sign(Algorithm.HMAC256(SECRET));
    }

    private static List<String> values(HttpResponse<?> r, String name) {
        return r.headers().allValues(name);
    }

    @Test
    void anAllowedPreflightIsAnsweredByTheGatewayWithoutAuthOrUpstream() throws Exception {
        int before = upstream.count();
        HttpResponse<String> r = send("OPTIONS", "/app/orders/7", "Origin", APP,
                "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "authorization,content-type");
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(values(r, "Access-Control-Allow-Origin")).containsExactly(APP);
        assertThat(values(r, "Access-Control-Allow-Methods")).containsExactly("PUT, DELETE");
        assertThat(values(r, "Access-Control-Allow-Headers")).containsExactly("authorization, content-type");
        assertThat(values(r, "Access-Control-Max-Age")).containsExactly("600");
        assertThat(values(r, "Access-Control-Allow-Credentials")).isEmpty();
        assertThat(values(r, "X-Request-Id")).hasSize(1);
        assertThat(r.body()).isEmpty();
        assertThat(upstream.count()).isEqualTo(before);
    }

    @Test
    void aPreflightFromAPatternOriginIsAllowed() throws Exception {
        HttpResponse<String> r = send("OPTIONS", "/app/x", "Origin", "https://shop.eu.example.org",
                "Access-Control-Request-Method", "DELETE");
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(values(r, "Access-Control-Allow-Origin")).containsExactly("https://shop.eu.example.org");
    }

    @Test
    void aDisallowedOriginMethodOrHeaderIs403ProblemAndNeverReachesTheUpstream() throws Exception {
        int before = upstream.count();
        for (String[] ask : List.of(
                new String[] {"https://evil.test", "PUT", "content-type", "This origin may not"},
                new String[] {"https://example.org", "PUT", "content-type", "This origin may not"},
                new String[] {APP, "PATCH", "content-type", "The requested method"},
                new String[] {APP, "PUT", "x-secret", "A requested header"})) {
            HttpResponse<String> r = send("OPTIONS", "/app/x", "Origin", ask[0],
                    "Access-Control-Request-Method", ask[1], "Access-Control-Request-Headers", ask[2]);
            assertThat(r.statusCode()).as(String.join(" ", ask)).isEqualTo(403);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("status").asInt()).isEqualTo(403);
            assertThat(body.get("detail").asText()).startsWith(ask[3]);
            assertThat(body.get("requestId").asText()).isNotEmpty();
            assertThat(values(r, "Access-Control-Allow-Methods")).isEmpty();
        }
        assertThat(upstream.count()).isEqualTo(before);
    }

    @Test
    void aPlainOptionsWithoutPreflightHeadersPassesToTheUpstream() throws Exception {
        HttpResponse<String> r = send("OPTIONS", "/open/x", "Origin", APP);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("method").asText()).isEqualTo("OPTIONS");
        assertThat(upstream.last().method()).isEqualTo("OPTIONS");
    }

    @Test
    void anActualResponseCarriesTheRoutesCorsFieldsInPlaceOfTheUpstreams() throws Exception {
        HttpResponse<String> r = send("GET", "/app/x?h=Access-Control-Allow-Origin:*"
                        + "&h=Access-Control-Expose-Headers:X-Internal&h=Access-Control-Allow-Credentials:true",
                "Origin", APP, "Authorization", token());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(values(r, "Access-Control-Allow-Origin")).containsExactly(APP);
        assertThat(values(r, "Access-Control-Expose-Headers")).containsExactly("X-Request-Id, WWW-Authenticate");
        assertThat(values(r, "Access-Control-Allow-Credentials")).isEmpty();
        assertThat(values(r, "Vary")).containsExactly("Origin");
        assertThat(upstream.last().header("Origin")).isEqualTo(APP);
    }

    @Test
    void aDisallowedOriginGetsTheResponseWithoutCorsFields() throws Exception {
        HttpResponse<String> r = send("GET", "/app/x?h=Access-Control-Allow-Origin:*", "Origin", "https://evil.test",
                "Authorization", token());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(values(r, "Access-Control-Allow-Origin")).isEmpty();
        assertThat(values(r, "Vary")).containsExactly("Origin");
    }

    @Test
    void theGatewaysOwn401CarriesTheCorsFieldsSoScriptsCanReadIt() throws Exception {
        HttpResponse<String> r = send("GET", "/app/x", "Origin", APP);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(values(r, "Access-Control-Allow-Origin")).containsExactly(APP);
        assertThat(values(r, "Access-Control-Expose-Headers")).containsExactly("X-Request-Id, WWW-Authenticate");
        assertThat(values(r, "Vary")).containsExactly("Origin");
        assertThat(values(r, "WWW-Authenticate")).hasSize(1);
    }

    @Test
    void credentialsEchoTheOriginNeverStar() throws Exception {
        HttpResponse<String> pre = send("OPTIONS", "/creds/x", "Origin", APP, "Access-Control-Request-Method", "PUT");
        assertThat(pre.statusCode()).isEqualTo(204); // routed by the method asked about: the route takes PUT only
        assertThat(values(pre, "Access-Control-Allow-Origin")).containsExactly(APP);
        assertThat(values(pre, "Access-Control-Allow-Credentials")).containsExactly("true");
        assertThat(values(pre, "Access-Control-Allow-Methods")).containsExactly("PUT");
        HttpResponse<String> r = send("PUT", "/creds/x?h=Access-Control-Allow-Origin:*", "Origin", APP,
                "Cookie", "session=1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(values(r, "Access-Control-Allow-Origin")).containsExactly(APP);
        assertThat(values(r, "Access-Control-Allow-Credentials")).containsExactly("true");
    }

    @Test
    void anOpenRouteAnswersStarAlsoOnItsRateLimitProblem() throws Exception {
        HttpResponse<String> pre = send("OPTIONS", "/limited/x", "Origin", "https://any.test",
                "Access-Control-Request-Method", "GET");
        assertThat(pre.statusCode()).isEqualTo(204);
        assertThat(values(pre, "Access-Control-Allow-Origin")).containsExactly("*");
        List<Integer> statuses = new ArrayList<>();
        HttpResponse<String> r = null;
        for (int i = 0; i < 3; i++) {
            r = send("GET", "/limited/x", "Origin", "https://any.test");
            statuses.add(r.statusCode());
            assertThat(values(r, "Access-Control-Allow-Origin")).as("response %d", i).containsExactly("*");
        }
        // the preflight took no unit of the limit of 1: the first GET passes, later ones are refused
        assertThat(statuses).containsExactly(200, 429, 429);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void aRouteWithoutCorsPassesPreflightsAndUpstreamFieldsThrough() throws Exception {
        HttpResponse<String> pre = send("OPTIONS", "/plain/x?h=Access-Control-Allow-Origin:https://up.test",
                "Origin", APP, "Access-Control-Request-Method", "PUT");
        assertThat(pre.statusCode()).isEqualTo(200);
        assertThat(upstream.last().method()).isEqualTo("OPTIONS");
        assertThat(upstream.last().header("Access-Control-Request-Method")).isEqualTo("PUT");
        assertThat(values(pre, "Access-Control-Allow-Origin")).containsExactly("https://up.test");
        HttpResponse<String> r = send("GET", "/plain/x?h=Access-Control-Allow-Origin:https://up.test",
                "Origin", APP);
        assertThat(values(r, "Access-Control-Allow-Origin")).containsExactly("https://up.test");
        assertThat(values(r, "Vary")).isEmpty();
    }
}
