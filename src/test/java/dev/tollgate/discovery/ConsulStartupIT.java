package dev.tollgate.discovery;

import static dev.tollgate.testsupport.Gateways.attribute;
import static dev.tollgate.testsupport.Gateways.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.ServerProcess;
import dev.tollgate.testsupport.UpstreamServer;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A gateway started while Consul is down serves the instances saved in the snapshot file. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ConsulStartupIT {
    private static UpstreamServer upstream;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        upstream = new UpstreamServer("saved");
        int deadPort;
        deadPort = ServerProcess.freePort();
        Path file = Files.createTempDirectory("tollgate-snapshot").resolve("discovery.json");
        Files.writeString(file, "{\"version\":1,\"services\":{\"orders\":{\"consulService\":\"orders\",\"tags\":[],"
                + "\"datacenter\":null,\"confirmedAt\":\"2025-01-01T00:00:00Z\",\"instances\":[{\"scheme\":\"http\","
                + "\"host\":\"127.0.0.1\",\"port\":" + upstream.port() + ",\"weight\":1}]}}}");
        return GatewayDeployment.war(String.join("\n",
                "gateway.consul.address = http://127.0.0.1:" + deadPort,
                "gateway.consul.connect-timeout = 500ms",
                "gateway.consul.snapshot-file = " + file,
                "gateway.services.orders.discovery = consul",
                "gateway.routes.orders.path = /orders/**",
                "gateway.routes.orders.service = orders"));
    }

    @AfterAll
    static void stop() throws Exception {
        upstream.close();
    }

    @Test
    void servesTheSavedInstancesMarkedStale() {
        for (int i = 0; i < 5; i++) {
            assertThat(upstream(base, "/orders/x")).isEqualTo("saved");
        }
        assertThat(attribute("tollgate:type=Discovery,name=orders", "Stale")).isEqualTo(true);
        assertThat((Long) attribute("tollgate:type=Discovery,name=orders", "SnapshotAgeSeconds")).isPositive();
    }
}
