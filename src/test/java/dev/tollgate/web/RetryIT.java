package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testsupport.GatewayDeployment;
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
 * Retries and the bulkhead through the real WAR: a GET goes to the second instance when the first refuses
 * connections, a POST never goes twice, the retry budget stops retries, and a full bulkhead answers 503 at once.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RetryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static UpstreamServer alive;
    private static UpstreamServer slow;
    private static int deadPort;

    private final MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
    private final HttpClient http = HttpClient.newHttpClient();

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        alive = new UpstreamServer("alive");
        slow = new UpstreamServer("slow");
        deadPort = ServerProcess.freePort();
        String pair = "http://127.0.0.1:" + deadPort + ", " + alive.uri();
        return GatewayDeployment.war(String.join("\n",
                GatewayDeployment.serviceWithRoute("pair", pair),
                "gateway.services.pair.breaker.request-volume-threshold = 1000",
                "gateway.services.pair.retry.budget-min-retries = 100",
                GatewayDeployment.serviceWithRoute("posts", pair),
                "gateway.services.posts.breaker.request-volume-threshold = 1000",
                GatewayDeployment.serviceWithRoute("budget", pair),
                "gateway.services.budget.breaker.request-volume-threshold = 1000",
                "gateway.services.budget.retry.budget-ratio = 0",
                "gateway.services.budget.retry.budget-min-retries = 2",
                GatewayDeployment.serviceWithRoute("dead", "http://127.0.0.1:" + deadPort),
                "gateway.services.dead.breaker.request-volume-threshold = 1000",
                GatewayDeployment.serviceWithRoute("narrow", slow.uri()),
                "gateway.services.narrow.bulkhead.max-concurrent = 2"));
    }


    @AfterAll
    static void stop() throws Exception {
        alive.close();
        slow.close();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://" + base.getHost() + ":" + base.getPort() + path));
    }

    private HttpResponse<String> send(HttpRequest r) throws Exception {
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    private long breakerFailures(String service) throws Exception {
        return (Long) jmx.getAttribute(new ObjectName("tollgate:type=Breaker,name=" + service), "Failures");
    }

    @Test
    void getIsRetriedOnTheSecondInstanceWhenTheFirstRefusesConnections() throws Exception {
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = send(request("/pair/item/" + i).build());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(JSON.readTree(r.body()).get("upstream").asText()).isEqualTo("alive");
        }
        assertThat(breakerFailures("pair")).as("some attempts went to the dead instance first").isPositive();
        HttpResponse<String> put = send(request("/pair/doc").PUT(HttpRequest.BodyPublishers.ofString("v=1")).build());
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(put.body()).get("bodyLength").asInt()).isEqualTo(3);
    }

    @Test
    void postIsNeverRetried() throws Exception {
        int before = alive.count();
        int ok = 0;
        int refused = 0;
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = send(request("/posts/pay").POST(HttpRequest.BodyPublishers.ofString("{}")).build());
            if (r.statusCode() == 200) {
                ok++;
            } else {
                assertThat(r.statusCode()).isEqualTo(502);
                assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                refused++;
            }
        }
        assertThat(refused).as("POSTs that met the dead instance were answered 502, not retried").isPositive();
        assertThat(alive.count() - before).isEqualTo(ok);
    }

    /**
     * A failure answered while the client is still sending its body closes the connection: the rest of the body
     * would otherwise be read as the next request.
     */
    @Test
    void aFailureBeforeTheBodyIsInClosesTheConnection() throws Exception {
        try (RawHttp c = new RawHttp(base)) {
            String r = c.send("POST /dead/pay HTTP/1.1\r\nHost: gw\r\nContent-Length: 1000000\r\n\r\n"
                    + "x".repeat(1000)).readAll();
            assertThat(RawHttp.status(r)).isEqualTo(502);
            assertThat(r).contains("application/problem+json").containsIgnoringCase("Connection: close");
        }
    }

    @Test
    void anExhaustedBudgetStopsRetries() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            statuses.add(send(request("/budget/x").build()).statusCode());
        }
        // round robin over [dead, alive]: the first two requests meet the dead instance first and are retried on
        // the live one; the budget (two retries) is then spent, so every later request that meets the dead
        // instance fails, while those that meet the live one first still succeed
        assertThat(statuses).containsExactly(200, 200, 502, 200, 502, 200);
    }

    @Test
    void aFullBulkheadAnswers503AtOnce() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            held.add(http.sendAsync(request("/narrow/slow?ms=4000").build(), HttpResponse.BodyHandlers.ofString()));
        }
        Poll.until(Duration.ofSeconds(10), () -> slow.count() >= 2);
        assertThat(slow.count()).isEqualTo(2);
        HttpResponse<String> rejected = send(request("/narrow/echo").build());
        assertThat(rejected.statusCode()).isEqualTo(503);
        assertThat(rejected.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(rejected.headers().firstValue("Retry-After")).isPresent();
        assertThat(slow.count()).isEqualTo(2);
        for (CompletableFuture<HttpResponse<String>> f : held) {
            assertThat(f.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        // the permits are given back as each exchange ends, which may be a moment after its client has the whole
        // response: the bulkhead takes requests again within that moment
        assertThat(Poll.until(Duration.ofSeconds(5), () -> statusOf(request("/narrow/echo").build()) == 200))
                .as("the bulkhead takes requests again once the held ones are answered").isTrue();
    }

    private int statusOf(HttpRequest r) {
        try {
            return send(r).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
