package dev.tollgate.production;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.ServerProcess;
import dev.tollgate.testsupport.UpstreamServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same WAR, unchanged, on the WildFly distribution (mvn verify -Pwildfly): {@code server-config/wildfly/tollgate.cli}
 * sets the system property {@code gateway.config} offline, the WAR is dropped into {@code deployments/}, and
 * WildFly runs in its own JVM (its own heap, not the tests' 256 MiB) with a copy of {@code standalone/} as its
 * base directory, so the unpacked distribution stays pristine. One server start for the class.
 */
class WildFlyIT {
    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Path HOME = Path.of(System.getProperty("tollgate.wildfly.home"));

    private static UpstreamServer upstream;
    private static ServerProcess wildfly;
    private static Path base;
    private static int httpPort;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        upstream = new UpstreamServer("wildfly");
        Path config = dir.resolve("gateway.properties");
        Files.writeString(config, String.join("\n",
                "gateway.services.up.instances = " + upstream.uri(),
                "gateway.routes.api.path = /api/**",
                "gateway.routes.api.service = up",
                "gateway.routes.api.strip-prefix = /api", ""));
        base = dir.resolve("standalone");
        copyTree(HOME.resolve("standalone"), base);
        Map<String, String> env = Map.of("JAVA_HOME", System.getProperty("java.home"),
                "JAVA_OPTS", "-Djboss.server.base.dir=" + base, "LAUNCH_JBOSS_IN_BACKGROUND", "1");

        try (ServerProcess cli = ServerProcess.start(List.of("bash", HOME.resolve("bin/jboss-cli.sh").toString(),
                "--resolve-parameter-values", "-Dtollgate.config=" + config,
                "--file=server-config/wildfly/tollgate.cli"), PROJECT, env, PROJECT.resolve("target/wildfly-cli-it.log"))) {
            assertThat(cli.awaitExit(Duration.ofMinutes(2))).as(cli.log()).isZero();
        }
        assertThat(Files.readString(base.resolve("configuration/standalone.xml")))
                .contains("<property name=\"gateway.config\" value=\"" + config + "\"/>");

        Files.copy(Path.of(System.getProperty("tollgate.war")), base.resolve("deployments/tollgate.war"));
        httpPort = ServerProcess.freePort();
        wildfly = ServerProcess.start(List.of("bash", HOME.resolve("bin/standalone.sh").toString(),
                        "-Djboss.server.base.dir=" + base,
                        "-Djboss.bind.address=127.0.0.1",
                        "-Djboss.http.port=" + httpPort,
                        "-Djboss.https.port=" + ServerProcess.freePort(),
                        "-Djboss.management.http.port=" + ServerProcess.freePort(),
                        "-Djboss.management.https.port=" + ServerProcess.freePort()),
                PROJECT, env, PROJECT.resolve("target/wildfly-it.log"));
        Path deployed = base.resolve("deployments/tollgate.war.deployed");
        Path failed = base.resolve("deployments/tollgate.war.failed");
        wildfly.awaitReady(() -> {
            if (Files.exists(failed)) {
                throw new AssertionError("deployment failed:\n" + wildfly.log());
            }
            return Files.exists(deployed) && ServerProcess.accepts(httpPort);
        }, Duration.ofMinutes(3));
    }

    @AfterAll
    static void stop() throws Exception {
        if (wildfly != null) {
            wildfly.process().destroy(); // SIGTERM: standalone.sh passes it on to the server's JVM
            wildfly.awaitExit(Duration.ofMinutes(1));
            assertThat(wildfly.log()).contains("shutdown: gateway closed");
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            files.forEach(f -> {
                try {
                    Files.copy(f, to.resolve(from.relativize(f).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void proxiesThroughTheWarConfiguredByTheWildFlySystemProperty() throws Exception {
        HttpResponse<String> res = get("/tollgate/api/hello?name=wildfly");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("X-Upstream")).hasValue("wildfly");
        assertThat(res.headers().firstValue("X-Request-Id")).isPresent();
        assertThat(upstream.last().target()).as("routed by the file the system property names")
                .isEqualTo("/hello?name=wildfly");
        assertThat(upstream.last().header("Via")).contains("tollgate");
    }

    @Test
    void answersItsOwnErrorsAsProblemJson() throws Exception {
        HttpResponse<String> res = get("/tollgate/nothing");
        assertThat(res.statusCode()).isEqualTo(404);
        assertThat(res.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(res.body()).contains("\"status\":404").contains("No route matches this request.");
    }
}
