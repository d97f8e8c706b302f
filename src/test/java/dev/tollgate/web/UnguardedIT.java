package dev.tollgate.web;

import static dev.tollgate.testsupport.Gateways.attribute;
import static dev.tollgate.testsupport.Gateways.get;
import static dev.tollgate.testsupport.Gateways.within;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testsupport.GatewayDeployment;
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
 * A service with its resilience guard off ({@code resilience.enabled = false}) through the real WAR: upstream
 * errors pass through however many follow each other (never a 503 for an open breaker, while a guarded service
 * beside it opens after five), nothing is retried, no bulkhead limits it, passive health still ejects a refusing
 * instance, and it has no Breaker MXBean.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class UnguardedIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static UpstreamServer bare;
    private static UpstreamServer guarded;
    private static UpstreamServer alive;
    private static int deadPort;

    private final MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
    private final HttpClient http = HttpClient.newHttpClient();

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        bare = new UpstreamServer("bare");
        guarded = new UpstreamServer("guarded");
        alive = new UpstreamServer("alive");
        deadPort = ServerProcess.freePort();
        // the retry and bulkhead defaults stay on for the unguarded services: the switch alone must turn them off
        return GatewayDeployment.war(String.join("\n",
                GatewayDeployment.serviceWithRoute("bare", bare.uri()),
                "gateway.services.bare.resilience.enabled = false",
                "gateway.services.bare.bulkhead.max-concurrent = 1",
                GatewayDeployment.serviceWithRoute("guarded", guarded.uri()),
                "gateway.services.guarded.retry.max-retries = 0",
                "gateway.services.guarded.breaker.delay = 1h",
                GatewayDeployment.serviceWithRoute("pair", "http://127.0.0.1:" + deadPort + ", " + alive.uri()),
                "gateway.services.pair.resilience.enabled = false",
                "gateway.services.pair.passive-health.consecutive-failures = 2",
                "gateway.services.pair.passive-health.base-ejection-time = 5m"));
    }


    @AfterAll
    static void stop() throws Exception {
        bare.close();
        guarded.close();
        alive.close();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://" + base.getHost() + ":" + base.getPort() + path));
    }

    @Test
    void upstreamErrorsPassThroughUnretriedWhileAGuardedServiceOpensItsBreaker() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(get(base, "/guarded/status/502").statusCode()).isEqualTo(502);
        }
        HttpResponse<String> open = get(base, "/guarded/status/502");
        assertThat(open.statusCode()).isEqualTo(503);
        assertThat(open.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(open.headers().firstValue("Retry-After")).isPresent();
        assertThat(attribute("tollgate:type=Breaker,name=guarded", "State")).isEqualTo("OPEN");

        int before = bare.count();
        int[] statuses = {502, 503, 504};
        for (int i = 0; i < 12; i++) {
            int status = statuses[i % 3];
            HttpResponse<String> r = get(base, "/bare/status/" + status);
            assertThat(r.statusCode()).as("request %d", i + 1).isEqualTo(status);
            assertThat(r.body()).as("the upstream's own answer, not a problem").isEqualTo("status " + status + " from bare");
            assertThat(r.headers().firstValue("Retry-After")).isEmpty();
        }
        // with the guard on, each of these GETs would be retried (max-retries 1, budget at least 3 retries)
        assertThat(bare.count() - before).as("one upstream request per client request").isEqualTo(12);
        assertThat(get(base, "/bare/echo").statusCode()).isEqualTo(200);
    }

    @Test
    void noBulkheadLimitsTheService() throws Exception {
        int before = bare.count();
        CompletableFuture<HttpResponse<String>> held =
                http.sendAsync(request("/bare/slow?ms=3000").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(within(Duration.ofSeconds(10), () -> bare.count() > before)).isTrue();
        // bulkhead.max-concurrent = 1 would answer this one 503 at once if the guard were on
        HttpResponse<String> second = http.send(request("/bare/echo").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(held.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void passiveHealthStillEjectsARefusingInstance() throws Exception {
        String bean = "tollgate:type=Discovery,name=pair";
        List<Integer> statuses = new ArrayList<>();
        while ((Long) attribute(bean, "Ejections") == 0L) {
            assertThat(statuses).as("the refusing instance is ejected within the first requests").hasSizeLessThan(50);
            HttpResponse<String> r = get(base, "/pair/x");
            statuses.add(r.statusCode());
            if (r.statusCode() != 200) {
                assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                assertThat(JSON.readTree(r.body()).get("status").asInt()).isEqualTo(502);
            }
        }
        assertThat(statuses).as("a GET that met the refusing instance was not retried on the live one").contains(502);
        // the outcome is reported when the request ends, which may be just after the client has its answer
        assertThat(within(Duration.ofSeconds(2), () -> (Long) attribute(bean, "Ejections") == 1L)).isTrue();
        assertThat((String[]) attribute(bean, "EjectedInstances")).containsExactly("http://127.0.0.1:" + deadPort);
        for (int i = 0; i < 6; i++) {
            assertThat(get(base, "/pair/x").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anUnguardedServiceHasNoBreakerMXBeanAndSaysSo() throws Exception {
        assertThat(jmx.isRegistered(new ObjectName("tollgate:type=Breaker,name=bare"))).isFalse();
        assertThat(jmx.isRegistered(new ObjectName("tollgate:type=Breaker,name=pair"))).isFalse();
        assertThat(jmx.isRegistered(new ObjectName("tollgate:type=Breaker,name=guarded"))).isTrue();
        assertThat(attribute("tollgate:type=Service,name=bare", "ResilienceEnabled")).isEqualTo(false);
        assertThat(attribute("tollgate:type=Service,name=guarded", "ResilienceEnabled")).isEqualTo(true);
    }
}
