package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.testsupport.Poll;
import dev.tollgate.testsupport.UpstreamServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up and shutdown of the real WAR on a plain embedded Jetty 12 (the container a user runs), configured
 * through the system property {@code gateway.config} naming an external file, as a Jetty base's start.d does.
 */
class LifecycleIT {
    @TempDir
    Path dir;

    private Server server;

    private WebAppContext start(String properties, boolean expectFailure) throws Exception {
        Path config = dir.resolve("gateway.properties");
        Files.writeString(config, properties);
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        WebAppContext app = new WebAppContext();
        app.setContextPath("/");
        app.setWar(System.getProperty("tollgate.war", "target/tollgate.war"));
        app.setThrowUnavailableOnStartupException(true);
        System.setProperty("gateway.config", config.toString());
        server.setHandler(app);
        if (!expectFailure) {
            server.start();
        }
        return app;
    }

    @AfterEach
    void stop() throws Exception {
        System.clearProperty("gateway.config");
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void invalidConfigurationFailsStartUpNamingEveryProblem() throws Exception {
        start(String.join("\n",
                "gateway.services.orders.instances = http://127.0.0.1:1",
                "gateway.routes.orders.path = /orders/**",
                "gateway.routes.orders.service = order",
                "gateway.routes.orders.response-timeout = 5 sec",
                "gateway.http-client.max-connectoins = 10"), true);
        assertThatThrownBy(server::start)
                .hasStackTraceContaining("gateway.routes.orders.service = \"order\"")
                .hasStackTraceContaining("gateway.routes.orders.response-timeout = \"5 sec\": expected a duration")
                .hasStackTraceContaining("gateway.http-client.max-connectoins: unknown key (did you mean "
                        + "gateway.http-client.max-connections?)");
    }

    @Test
    void inFlightRequestsFinishWhenTheGatewayStops() throws Exception {
        try (UpstreamServer upstream = new UpstreamServer("draining")) {
            WebAppContext app = start(String.join("\n",
                    "gateway.services.up.instances = " + upstream.uri(),
                    "gateway.routes.all.path = /**",
                    "gateway.routes.all.service = up",
                    "gateway.shutdown.drain-timeout = 10s"), false);
            int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
            HttpClient http = HttpClient.newHttpClient();
            CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/slow?ms=1500")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Poll.until(Duration.ofSeconds(10), () -> upstream.count() > 0);
            assertThat(upstream.count()).isEqualTo(1);
            app.stop();
            HttpResponse<String> r = inFlight.get(10, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"target\":\"/slow?ms=1500\"");
        }
    }
}
