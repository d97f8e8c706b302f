package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.UpstreamServer;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Routing and forwarding through the real WAR on embedded Jetty 12, to a real upstream. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ProxyIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static UpstreamServer orders;
    private static UpstreamServer users;

    @ArquillianResource
    private URL base;

    private final HttpClient http = HttpClient.newHttpClient();

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        orders = new UpstreamServer("orders");
        users = new UpstreamServer("users");
        return GatewayDeployment.war(String.join("\n",
                "gateway.services.orders.instances = " + orders.uri(),
                "gateway.services.users.instances = " + users.uri(),
                "gateway.routes.orders.path = /api/orders/**",
                "gateway.routes.orders.service = orders",
                "gateway.routes.orders.strip-prefix = /api",
                "gateway.routes.users.path = /api/**",
                "gateway.routes.users.service = users"));
    }

    @AfterAll
    static void stop() throws Exception {
        orders.close();
        users.close();
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path.substring(1))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void mostSpecificRouteWinsAndPrefixIsStripped() throws Exception {
        JsonNode echo = get("/api/orders/42?x=%2F&y=a+b");
        assertThat(echo.get("upstream").asText()).isEqualTo("orders");
        assertThat(echo.get("target").asText()).isEqualTo("/orders/42?x=%2F&y=a+b");
        assertThat(get("/api/other").get("upstream").asText()).isEqualTo("users");
    }
}
