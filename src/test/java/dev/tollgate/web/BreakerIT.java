package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.HoldingUpstream;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.RawHttp;
import dev.tollgate.testsupport.ServerProcess;
import dev.tollgate.testsupport.UpstreamServer;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
 * The circuit breaker per upstream service through the real WAR: it opens after five consecutive failures
 * (timeouts included), then answers at once without contacting the upstream, from the stale-if-error cache or
 * with 503 and Retry-After; a trial closes it when the service is back; 4xx never open it; JMX can force it.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BreakerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static UpstreamServer inventory;
    private static UpstreamServer catalog;
    private static UpstreamServer strict;
    private static UpstreamServer ops;
    private static UpstreamServer healing;
    private static int healingPort;
    private static HoldingUpstream hung;
    private static UpstreamServer twin;

    private final MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
    private final HttpClient http = HttpClient.newHttpClient();

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        inventory = new UpstreamServer("inventory");
        catalog = new UpstreamServer("catalog");
        strict = new UpstreamServer("strict");
        ops = new UpstreamServer("ops");
        healingPort = ServerProcess.freePort();
        healing = new UpstreamServer("healing", healingPort);
        hung = new HoldingUpstream();
        twin = new UpstreamServer("twin");
        return GatewayDeployment.war(String.join("\n",
                "gateway.resilience.retry.max-retries = 0",
                "gateway.resilience.breaker.delay = 1h",
                GatewayDeployment.serviceWithRoute("inventory", inventory.uri()),
                "gateway.routes.inventory.response-timeout = 300ms",
                GatewayDeployment.serviceWithRoute("catalog", catalog.uri()),
                "gateway.routes.catalog.stale-if-error = true",
                GatewayDeployment.serviceWithRoute("strict", strict.uri()),
                GatewayDeployment.serviceWithRoute("ops", ops.uri()),
                GatewayDeployment.serviceWithRoute("healing", healing.uri()),
                "gateway.services.healing.breaker.delay = 1s",
                GatewayDeployment.serviceWithRoute("pair", hung.uri() + ", " + twin.uri()),
                "gateway.services.pair.load-balancer = round-robin",
                "gateway.routes.pair.response-timeout = 1s",
                GatewayDeployment.serviceWithRoute("uploads", twin.uri()),
                "gateway.routes.uploads.max-body-size = 1KB"));
    }


    @AfterAll
    static void stop() throws Exception {
        for (UpstreamServer u : new UpstreamServer[] {inventory, catalog, strict, ops, healing, twin}) {
            u.close();
        }
        hung.release();
        hung.close();
    }

    private HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + base.getHost() + ":" + base.getPort()
                + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        return send("GET", path, headers);
    }

    private Object breaker(String service, String attribute) throws Exception {
        return jmx.getAttribute(new ObjectName("tollgate:type=Breaker,name=" + service), attribute);
    }

    /** A 503 answered by the gateway because the breaker is open, with Retry-After. */
    private static long assertOpenProblem(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(JSON.readTree(r.body()).get("status").asInt()).isEqualTo(503);
        long retryAfter = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isPositive();
        return retryAfter;
    }

    /**
     * One instance of two stops answering: the requests it holds time out together, and the fifth failure in a
     * row ejects it (passive health). Failures of an instance that passive health has ejected say nothing more
     * about the service, so they do not count against its breaker: the healthy instance keeps serving.
     */
    @Test
    void oneHungInstanceOfTwoIsEjectedWithoutOpeningTheServicesBreaker() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) { // round robin: five to each instance
            sent.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://" + base.getHost() + ":"
                    + base.getPort() + "/pair/hold")).build(), HttpResponse.BodyHandlers.ofString()));
        }
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (CompletableFuture<HttpResponse<String>> f : sent) {
            statuses.merge(f.get(30, TimeUnit.SECONDS).statusCode(), 1, Integer::sum);
        }
        assertThat(statuses).isEqualTo(Map.of(200, 5, 504, 5));
        assertThat(breaker("pair", "State")).isEqualTo("CLOSED");
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = get("/pair/hold");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("twin");
        }
    }

    /**
     * A body over the route's limit is the client's fault: streamed (chunked) bodies cut off at it never count. The
     * client sends a first chunk over the limit and reads the answer (a client that went on sending could see its
     * connection reset by the close that follows the 413 before it read the answer).
     */
    @Test
    void oversizedBodiesDoNotOpenTheBreaker() throws Exception {
        String chunk = "x".repeat(2048);
        for (int i = 0; i < 6; i++) {
            try (RawHttp c = new RawHttp(base)) {
                String r = c.send("POST /uploads/echo HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n").readAll();
                assertThat(RawHttp.status(r)).as(r).isEqualTo(413);
            }
        }
        assertThat(breaker("uploads", "State")).isEqualTo("CLOSED");
        assertThat(get("/uploads/echo").statusCode()).isEqualTo(200);
    }

    @Test
    void opensAfterFiveConsecutiveFailuresTimeoutsIncludedAndThenNeverCallsTheUpstream() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(get("/inventory/slow?ms=3000").statusCode()).isEqualTo(504);
        }
        assertThat(get("/inventory/status/503").statusCode()).isEqualTo(503);
        assertThat(breaker("inventory", "State")).isEqualTo("CLOSED");
        HttpResponse<String> fifth = get("/inventory/status/502");
        assertThat(fifth.statusCode()).isEqualTo(502);
        assertThat(fifth.body()).isEqualTo("status 502 from inventory"); // passed through unchanged
        assertThat(breaker("inventory", "State")).isEqualTo("OPEN");

        int seen = inventory.count();
        for (int i = 0; i < 5; i++) {
            long retryAfter = assertOpenProblem(get("/inventory/echo"));
            assertThat(retryAfter).isBetween(3500L, 3600L);
        }
        assertOpenProblem(send("POST", "/inventory/echo"));
        assertThat(inventory.count()).as("no request reaches an upstream behind an open breaker").isEqualTo(seen);
        assertThat(get("/strict/echo").statusCode()).as("other services are unaffected").isEqualTo(200);
    }

    @Test
    void whileOpenTheLastGoodResponseIsServedWithAgeAndMarkerButNeverAPrivateOne() throws Exception {
        HttpResponse<String> good = get("/catalog/items?h=Cache-Control:max-age%3D60");
        assertThat(good.statusCode()).isEqualTo(200);
        get("/catalog/private?h=Cache-Control:private");
        get("/catalog/no-store?h=Cache-Control:no-store");
        get("/catalog/mine", "Authorization", "Bearer abc");
        get("/catalog/cookie", "Cookie", "sid=1");
        get("/catalog/lang?h=Vary:Accept-Language", "Accept-Language", "de");
        for (int i = 0; i < 5; i++) {
            assertThat(get("/catalog/status/504").statusCode()).isEqualTo(504);
        }
        assertThat(breaker("catalog", "State")).isEqualTo("OPEN");
        int seen = catalog.count();

        HttpResponse<String> stale = get("/catalog/items?h=Cache-Control:max-age%3D60");
        assertThat(stale.statusCode()).isEqualTo(200);
        assertThat(stale.body()).isEqualTo(good.body());
        assertThat(stale.headers().firstValue("Age")).isPresent();
        assertThat(stale.headers().firstValue("Cache-Status").orElseThrow()).contains("hit").contains("stale-if-error");
        assertThat(stale.headers().firstValue("X-Upstream")).hasValue("catalog");
        assertThat(stale.headers().firstValue("X-Request-Id")).isPresent()
                .isNotEqualTo(good.headers().firstValue("X-Request-Id"));
        HttpResponse<String> head = send("HEAD", "/catalog/items?h=Cache-Control:max-age%3D60");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("Cache-Status")).isPresent();
        assertThat(get("/catalog/lang?h=Vary:Accept-Language", "Accept-Language", "de").statusCode()).isEqualTo(200);

        assertOpenProblem(get("/catalog/lang?h=Vary:Accept-Language", "Accept-Language", "fr"));
        assertOpenProblem(get("/catalog/private?h=Cache-Control:private"));
        assertOpenProblem(get("/catalog/no-store?h=Cache-Control:no-store"));
        assertOpenProblem(get("/catalog/mine"));
        assertOpenProblem(get("/catalog/mine", "Authorization", "Bearer abc"));
        assertOpenProblem(get("/catalog/cookie", "Cookie", "sid=1"));
        assertOpenProblem(get("/catalog/items?h=Cache-Control:max-age%3D60", "Authorization", "Bearer other"));
        assertOpenProblem(get("/catalog/never-seen"));
        assertThat(catalog.count()).isEqualTo(seen);
    }

    @Test
    void aTrialClosesTheBreakerWhenTheDeadServiceIsBack() throws Exception {
        healing.close();
        for (int i = 0; i < 5; i++) {
            assertThat(get("/healing/echo").statusCode()).isEqualTo(502);
        }
        assertThat(breaker("healing", "State")).isEqualTo("OPEN");
        assertOpenProblem(get("/healing/echo"));
        healing = new UpstreamServer("healing", healingPort);
        HttpResponse<String> r = Poll.until(Duration.ofSeconds(15), () -> get("/healing/echo"),
                x -> x.statusCode() != 503);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(healing.count()).as("the first request after the delay is the trial").isEqualTo(1);
        assertThat(breaker("healing", "State")).isEqualTo("CLOSED");
        assertThat(get("/healing/echo").statusCode()).isEqualTo(200);
    }

    @Test
    void clientErrorsNeverOpenTheBreaker() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertThat(get("/strict/status/404").statusCode()).isEqualTo(404);
            assertThat(get("/strict/status/429").statusCode()).isEqualTo(429);
            assertThat(get("/strict/status/400").statusCode()).isEqualTo(400);
        }
        assertThat(breaker("strict", "State")).isEqualTo("CLOSED");
        assertThat(breaker("strict", "Failures")).isEqualTo(0L);
        assertThat(get("/strict/echo").statusCode()).isEqualTo(200);
    }

    @Test
    void operatorsForceTheBreakerOverJmx() throws Exception {
        ObjectName name = new ObjectName("tollgate:type=Breaker,name=ops");
        assertThat(jmx.invoke(name, "forceOpen", null, null)).isEqualTo("FORCED_OPEN");
        int seen = ops.count();
        assertOpenProblem(get("/ops/echo"));
        assertThat(ops.count()).isEqualTo(seen);
        assertThat(jmx.invoke(name, "forceClosed", null, null)).isEqualTo("FORCED_CLOSED");
        assertThat(get("/ops/echo").statusCode()).isEqualTo(200);
        assertThat(jmx.invoke(name, "reset", null, null)).isEqualTo("CLOSED");
        assertThat(jmx.getAttribute(name, "State")).isEqualTo("CLOSED");
    }
}
