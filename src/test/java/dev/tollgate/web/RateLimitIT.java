package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.RawHttp;
import dev.tollgate.testsupport.UpstreamServer;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rate limits through the real WAR with the policy {@code local}: 429 problem+json with {@code Retry-After},
 * the header fields on every response of a limited route, and buckets keyed by client address (a spoofed
 * X-Forwarded-For picks no bucket of its own), by route (path variants share it) and by header.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RateLimitIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static UpstreamServer upstream;
    private static HttpServer limitingUpstream;
    private final HttpClient http = HttpClient.newHttpClient();

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        upstream = new UpstreamServer("limited");
        limitingUpstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        limitingUpstream.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("RateLimit-Policy", "\"upstream\";q=100;w=60");
            exchange.getResponseHeaders().add("RateLimit", "\"upstream\";r=99;t=60");
            exchange.getResponseHeaders().add("X-RateLimit-Limit", "100");
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        limitingUpstream.start();
        return GatewayDeployment.war(String.join("\n",
                "gateway.services.up.instances = " + upstream.uri(),
                "gateway.services.own.instances = http://127.0.0.1:" + limitingUpstream.getAddress().getPort(),
                "gateway.routes.own.path = /own/**",
                "gateway.routes.own.service = own",
                "gateway.routes.own.rate-limit = own",
                "gateway.rate-limit.rules.own.limit = 3",
                "gateway.rate-limit.rules.own.window = 1h",
                "gateway.services.dead.instances = http://127.0.0.1:1",
                "gateway.rate-limit.rules.per-ip.limit = 3",
                "gateway.rate-limit.rules.per-ip.window = 1h",
                "gateway.rate-limit.rules.per-route.limit = 3",
                "gateway.rate-limit.rules.per-route.window = 1h",
                "gateway.rate-limit.rules.per-route.key = route",
                "gateway.rate-limit.rules.tenant.limit = 1",
                "gateway.rate-limit.rules.tenant.window = 1h",
                "gateway.rate-limit.rules.tenant.key = header:X-Tenant",
                "gateway.rate-limit.rules.burst.limit = 1",
                "gateway.rate-limit.rules.burst.window = 1m",
                "gateway.rate-limit.rules.burst.algorithm = token-bucket",
                "gateway.rate-limit.rules.burst.burst = 2",
                "gateway.rate-limit.rules.trial.limit = 1",
                "gateway.rate-limit.rules.trial.window = 1h",
                "gateway.rate-limit.rules.trial.report-only = true",
                "gateway.routes.ip.path = /ip/**",
                "gateway.routes.ip.service = up",
                "gateway.routes.ip.rate-limit = per-ip",
                "gateway.routes.variants.path = /variants/a",
                "gateway.routes.variants.service = up",
                "gateway.routes.variants.rate-limit = per-route",
                "gateway.routes.tenants.path = /tenants/**",
                "gateway.routes.tenants.service = up",
                "gateway.routes.tenants.rate-limit = tenant",
                "gateway.routes.broken.path = /broken/**",
                "gateway.routes.broken.service = dead",
                "gateway.routes.broken.rate-limit = burst",
                "gateway.routes.trial.path = /trial/**",
                "gateway.routes.trial.service = up",
                "gateway.routes.trial.rate-limit = trial",
                "gateway.rate-limit.rules.resettable.limit = 1",
                "gateway.rate-limit.rules.resettable.window = 1h",
                "gateway.routes.resettable.path = /resettable/**",
                "gateway.routes.resettable.service = up",
                "gateway.routes.resettable.rate-limit = resettable",
                "gateway.routes.free.path = /free/**",
                "gateway.routes.free.service = up"));
    }

    @AfterAll
    static void stop() throws Exception {
        limitingUpstream.stop(0);
        upstream.close();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + base.getHost() + ":" + base.getPort()
                + path));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String h(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    void answers429ProblemWithRetryAfterAndHeadersOnEveryResponse() throws Exception {
        int before = upstream.count();
        List<HttpResponse<String>> rs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            // no trusted proxies: a spoofed X-Forwarded-For must not pick its own bucket
            rs.add(get("/ip/x", "X-Forwarded-For", "198.51.100." + i));
        }
        assertThat(rs).extracting(HttpResponse::statusCode).containsExactly(200, 200, 200, 429);
        HttpResponse<String> first = rs.get(0);
        assertThat(h(first, "RateLimit-Policy")).isEqualTo("\"per-ip\";q=3;w=3600");
        assertThat(h(first, "RateLimit")).isEqualTo("\"per-ip\";r=2;t=3600");
        assertThat(h(first, "X-RateLimit-Limit")).isEqualTo("3");
        assertThat(h(first, "X-RateLimit-Remaining")).isEqualTo("2");
        assertThat(h(first, "X-RateLimit-Reset")).isEqualTo("3600");
        assertThat(h(rs.get(2), "RateLimit")).isEqualTo("\"per-ip\";r=0;t=3600");

        HttpResponse<String> rejected = rs.get(3);
        assertThat(h(rejected, "Content-Type")).isEqualTo("application/problem+json");
        long retry = Long.parseLong(h(rejected, "Retry-After"));
        assertThat(retry).isBetween(3590L, 3600L);
        assertThat(h(rejected, "RateLimit-Policy")).isEqualTo("\"per-ip\";q=3;w=3600");
        assertThat(h(rejected, "RateLimit")).startsWith("\"per-ip\";r=0;t=");
        assertThat(h(rejected, "X-RateLimit-Remaining")).isEqualTo("0");
        JsonNode problem = JSON.readTree(rejected.body());
        assertThat(problem.get("status").asInt()).isEqualTo(429);
        assertThat(problem.get("title").asText()).isEqualTo("Too Many Requests");
        assertThat(problem.get("requestId").asText()).isEqualTo(h(rejected, "X-Request-Id"));
        assertThat(upstream.count() - before).as("the rejected request never reached the upstream").isEqualTo(3);
    }

    @Test
    void pathVariantsOfOneRouteShareItsBucket() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (String variant : List.of("/variants/a", "/variants/%61", "/variants/./a", "/variants/x/../a")) {
            try (RawHttp c = new RawHttp(base)) {
                statuses.add(RawHttp.status(c.send("GET " + variant + " HTTP/1.1\r\nHost: gw\r\n"
                        + "Connection: close\r\n\r\n").readAll()));
            }
        }
        assertThat(statuses).containsExactly(200, 200, 200, 429);
    }

    @Test
    void headerKeyedBucketsAndAddressFallback() throws Exception {
        assertThat(get("/tenants/1", "X-Tenant", "acme").statusCode()).isEqualTo(200);
        assertThat(get("/tenants/2", "X-Tenant", "acme").statusCode()).isEqualTo(429);
        assertThat(get("/tenants/3", "X-Tenant", "globex").statusCode()).isEqualTo(200);
        assertThat(get("/tenants/4").statusCode()).as("no header: keyed by address").isEqualTo(200);
        assertThat(get("/tenants/5").statusCode()).isEqualTo(429);
    }

    @Test
    void gatewayErrorAnswersOnALimitedRouteKeepTheHeaders() throws Exception {
        HttpResponse<String> failed = get("/broken/x");
        assertThat(failed.statusCode()).isEqualTo(502);
        assertThat(h(failed, "RateLimit-Policy")).isEqualTo("\"burst\";q=2;w=120");
        assertThat(h(failed, "RateLimit")).isEqualTo("\"burst\";r=1;t=60");
        assertThat(get("/broken/x").statusCode()).isEqualTo(502);
        assertThat(get("/broken/x").statusCode()).as("the token bucket is empty").isEqualTo(429);
    }

    @Test
    void upstreamRateLimitFieldsAreListedBesideTheGatewaysOwn() throws Exception {
        HttpResponse<String> r = get("/own/x");
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().allValues("RateLimit-Policy")).containsExactly("\"own\";q=3;w=3600",
                "\"upstream\";q=100;w=60");
        assertThat(String.join(", ", r.headers().allValues("RateLimit"))).startsWith("\"own\";r=2;t=3600")
                .endsWith(", \"upstream\";r=99;t=60");
        assertThat(r.headers().allValues("X-RateLimit-Limit")).containsExactly("3");
    }

    @Test
    void reportOnlyRuleSendsHeadersButNeverRejects() throws Exception {
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = get("/trial/x");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(h(r, "RateLimit")).isEqualTo("\"trial\";r=0;t=3600");
        }
    }

    @Test
    void operatorEmptiesOneBucketOverJmx() throws Exception {
        assertThat(get("/resettable/x").statusCode()).isEqualTo(200);
        assertThat(get("/resettable/x").statusCode()).isEqualTo(429);
        ObjectName name = new ObjectName("tollgate:type=RateLimiter,name=resettable");
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        assertThat(jmx.getAttribute(name, "Rejected")).isEqualTo(1L);
        Object result = jmx.invoke(name, "resetKey", new Object[] {"127.0.0.1"}, new String[] {"java.lang.String"});
        assertThat(result).isEqualTo("emptied 1 bucket(s)");
        assertThat(get("/resettable/x").statusCode()).isEqualTo(200);
        assertThat(jmx.getAttribute(name, "Allowed")).isEqualTo(2L);
    }

    @Test
    void unlimitedRoutesCarryNoRateLimitFields() throws Exception {
        HttpResponse<String> r = get("/free/x");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(h(r, "RateLimit-Policy")).isNull();
        assertThat(h(r, "X-RateLimit-Limit")).isNull();
    }
}
