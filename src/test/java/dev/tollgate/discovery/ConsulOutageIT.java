package dev.tollgate.discovery;

import static dev.tollgate.testsupport.Gateways.attribute;
import static dev.tollgate.testsupport.Gateways.upstream;
import static dev.tollgate.testsupport.Gateways.within;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.FakeConsul;
import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.UpstreamServer;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.management.ObjectName;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Consul goes away: traffic goes on from the last snapshot, marked stale; the snapshot file was saved. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ConsulOutageIT {
    private static final String BEAN = "tollgate:type=Discovery,name=orders";
    private static FakeConsul consul;
    private static UpstreamServer upstream;
    private static Path snapshot;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        consul = new FakeConsul("dc1", "outage-token");
        upstream = new UpstreamServer("kept");
        snapshot = Files.createTempDirectory("tollgate-snapshot").resolve("discovery.json");
        consul.register("orders-api", "o1", upstream.port(), "prod");
        return GatewayDeployment.war(String.join("\n",
                "gateway.consul.address = " + consul.address(),
                "gateway.consul.token = outage-token",
                "gateway.consul.datacenter = dc1",
                "gateway.consul.wait = 10s",
                "gateway.consul.retry-interval = 50ms",
                "gateway.consul.max-retry-interval = 200ms",
                "gateway.consul.snapshot-file = " + snapshot,
                "gateway.services.orders.discovery = consul",
                "gateway.services.orders.consul.service = orders-api",
                "gateway.services.orders.consul.tags = prod",
                "gateway.routes.orders.path = /orders/**",
                "gateway.routes.orders.service = orders"));
    }

    @AfterAll
    static void stop() throws Exception {
        upstream.close();
        consul.close();
    }

    private static double gauge(String name) throws Exception {
        return meter(name, "Value");
    }

    private static double meter(String name, String attribute) throws Exception {
        for (ObjectName n : ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName("tollgate:*"), null)) {
            if (n.toString().contains(name + ".service.orders")) {
                return ((Number) ManagementFactory.getPlatformMBeanServer().getAttribute(n, attribute)).doubleValue();
            }
        }
        throw new AssertionError("no meter " + name);
    }

    @Test
    void consulOutageKeepsTrafficOnTheLastSnapshotMarkedStale() throws Exception {
        assertThat(upstream(base, "/orders/x")).isEqualTo("kept");
        assertThat(Files.readString(snapshot)).contains("\"port\" : " + upstream.port()).contains("orders-api")
                .doesNotContain("outage-token");
        assertThat(gauge("tollgateDiscoveryInstances")).isEqualTo(1.0);
        assertThat(gauge("tollgateDiscoverySnapshotStale")).isZero();

        consul.stop();
        assertThat(within(Duration.ofSeconds(10), () -> (Boolean) attribute(BEAN, "Stale"))).isTrue();
        for (int i = 0; i < 20; i++) {
            assertThat(upstream(base, "/orders/x")).isEqualTo("kept");
        }
        assertThat(gauge("tollgateDiscoverySnapshotStale")).isEqualTo(1.0);
        assertThat((Long) attribute(BEAN, "WatcherErrors")).isPositive();
        assertThat(meter("tollgateDiscoveryWatcherErrors", "Count")).isPositive();

        consul.start();
        assertThat(within(Duration.ofSeconds(10), () -> !(Boolean) attribute(BEAN, "Stale")))
                .as("fresh again once Consul is back").isTrue();
        assertThat(gauge("tollgateDiscoverySnapshotStale")).isZero();
        assertThat(upstream(base, "/orders/x")).isEqualTo("kept");
    }

    @Test
    void resyncIsAManagementOperation() throws Exception {
        Object result = ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName(BEAN), "resync",
                new Object[0], new String[0]);
        assertThat(result.toString()).startsWith("1 instances");
    }
}
