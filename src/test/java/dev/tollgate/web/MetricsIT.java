package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.UpstreamServer;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
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

/** Per-route and per-service request timers and connection-pool gauges, read over JMX (domain tollgate). */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MetricsIT {
    private static UpstreamServer upstream;
    private final MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        upstream = new UpstreamServer("metered");
        return GatewayDeployment.war(String.join("\n",
                "gateway.services.inventory.instances = " + upstream.uri(),
                "gateway.routes.stock.path = /stock/**",
                "gateway.routes.stock.service = inventory",
                "gateway.routes.stock.strip-prefix = /stock"));
    }

    @AfterAll
    static void stop() throws Exception {
        upstream.close();
    }

    private ObjectName find(String... parts) throws Exception {
        Set<String> all = new TreeSet<>();
        for (ObjectName n : jmx.queryNames(new ObjectName("tollgate:*"), null)) {
            all.add(n.toString());
            boolean match = true;
            for (String p : parts) {
                match &= n.toString().contains(p);
            }
            if (match) {
                return n;
            }
        }
        throw new AssertionError("no MBean with " + String.join(", ", parts) + " among " + all);
    }

    private long count(ObjectName n) throws Exception {
        return ((Number) jmx.getAttribute(n, "Count")).longValue();
    }

    /** Requests are recorded when the filter chain returns, which may be just after the client has its answer. */
    private void awaitCount(ObjectName n, long expected) throws Exception {
        assertThat(Poll.until(Duration.ofSeconds(5), () -> count(n), c -> c >= expected)).as(n.toString())
                .isEqualTo(expected);
    }

    @Test
    void requestsAreCountedPerRouteServiceAndStatusClass() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String gw = "http://" + base.getHost() + ":" + base.getPort();
        http.send(HttpRequest.newBuilder(URI.create(gw + "/stock/first")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> unavailable = http.send(HttpRequest.newBuilder(URI.create(gw + "/stock/status/503")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unavailable.statusCode()).as(unavailable.body()).isEqualTo(503);
        ObjectName ok = find("tollgateRouteRequests", "route.stock", "status.2xx");
        ObjectName failed = find("tollgateRouteRequests", "route.stock", "status.5xx");
        ObjectName service = find("tollgateServiceRequests", "service.inventory", "status.2xx");
        awaitCount(failed, 1);
        long ok0 = count(ok);
        long service0 = count(service);
        for (int i = 0; i < 3; i++) {
            http.send(HttpRequest.newBuilder(URI.create(gw + "/stock/" + i)).build(), HttpResponse.BodyHandlers.ofString());
        }
        http.send(HttpRequest.newBuilder(URI.create(gw + "/stock/status/503")).build(),
                HttpResponse.BodyHandlers.ofString());
        awaitCount(ok, ok0 + 3);
        awaitCount(failed, 2);
        awaitCount(service, service0 + 3);
        ObjectName timer = ok;
        assertThat(((Number) jmx.getAttribute(timer, "Max")).doubleValue()).isPositive();
    }

    @Test
    void connectionPoolGaugesAreExposed() throws Exception {
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + base.getHost() + ":"
                + base.getPort() + "/stock/pool")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(((Number) jmx.getAttribute(find("tollgateHttpPoolMax"), "Value")).intValue()).isEqualTo(512);
        // the connection goes back to the pool just after the client has the whole answer
        assertThat(Poll.until(Duration.ofSeconds(10), () -> poolGauge("tollgateHttpPoolAvailable"), v -> v > 0))
                .isPositive();
        assertThat(poolGauge("tollgateHttpPoolLeased")).isZero();
        find("tollgateHttpPoolPending");
    }

    private int poolGauge(String name) throws Exception {
        return ((Number) jmx.getAttribute(find(name), "Value")).intValue();
    }
}
