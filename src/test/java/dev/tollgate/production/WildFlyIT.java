package dev.tollgate.production;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.RawHttp;
import dev.tollgate.testsupport.ServerProcess;
import dev.tollgate.testsupport.Trickle;
import dev.tollgate.testsupport.UpstreamServer;
import dev.tollgate.testsupport.WildFlyServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same WAR, unchanged, on the WildFly distribution (mvn verify -Pwildfly): {@code server-config/wildfly/tollgate.cli}
 * sets the system property {@code gateway.config}, the head deadline and no h2c on the clear-text listener, and
 * {@code tollgate-tls.cli} TLS with HTTP/2 from a keystore named by the environment, both offline; the WAR is
 * dropped into {@code deployments/}, and WildFly runs in its own JVM (its own heap, not the tests' 256 MiB) with a
 * copy of {@code standalone/} as its base directory, so the unpacked distribution stays pristine. The head
 * deadline is short here so that slow clients are closed quickly; the assertions are only "closed within" a
 * generous time. One server start for the class.
 */
class WildFlyIT {
    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Path HOME = Path.of(System.getProperty("tollgate.wildfly.home"));
    private static final String PASSWORD = UUID.randomUUID().toString();
    private static final Duration HEAD_DEADLINE = Duration.ofSeconds(3);
    private static final Duration GIVE_UP = Duration.ofSeconds(25);

    /** How the upstream's echo of a request without a body ends: its SHA-256, the last field. */
    private static final String EMPTY_ECHO_END =
            "\"bodySha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}";

    private static UpstreamServer upstream;
    private static ServerProcess wildfly;
    private static Path base;
    private static Path keystore;
    private static int httpPort;
    private static int httpsPort;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        upstream = new UpstreamServer("wildfly");
        Path config = dir.resolve("gateway.properties");
        Files.writeString(config, String.join("\n",
                "gateway.services.up.instances = " + upstream.uri(),
                "gateway.routes.api.path = /api/**",
                "gateway.routes.api.service = up",
                "gateway.routes.api.strip-prefix = /api",
                // the gateway's own minimum body data rate, high so that a trickle is refused quickly
                "gateway.limits.min-body-rate = 1KB",
                "gateway.limits.min-body-rate-grace = 1s", ""));
        base = dir.resolve("standalone");
        WildFlyServer.copyTree(HOME.resolve("standalone"), base);
        keystore = Keystores.selfSigned(dir.resolve("keystore.p12"), PASSWORD);
        Map<String, String> env = Map.of("JAVA_HOME", System.getProperty("java.home"),
                "JAVA_OPTS", "-Djboss.server.base.dir=" + base, "LAUNCH_JBOSS_IN_BACKGROUND", "1",
                "TOLLGATE_KEYSTORE", keystore.toString(), "TOLLGATE_KEYSTORE_PASSWORD", PASSWORD);

        cli(env, "--resolve-parameter-values", "-Dtollgate.config=" + config,
                "-Dtollgate.http.requestHeadTimeout=" + HEAD_DEADLINE.toMillis(), "--file=server-config/wildfly/tollgate.cli");
        cli(env, "--file=server-config/wildfly/tollgate-tls.cli");
        String standalone = Files.readString(base.resolve("configuration/standalone.xml"));
        assertThat(standalone).contains("<property name=\"gateway.config\" value=\"" + config + "\"/>")
                .contains("request-parse-timeout=\"" + HEAD_DEADLINE.toMillis() + "\"")
                .contains("${env.TOLLGATE_KEYSTORE_PASSWORD}")
                .as("the password stays in the environment").doesNotContain(PASSWORD);

        httpPort = ServerProcess.freePort();
        httpsPort = ServerProcess.freePort();
        wildfly = WildFlyServer.deploy(HOME, base, env, httpPort, httpsPort, PROJECT.resolve("target/wildfly-it.log"));
    }

    private static void cli(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", HOME.resolve("bin/jboss-cli.sh").toString()));
        command.addAll(List.of(args));
        try (ServerProcess cli = ServerProcess.start(command, PROJECT, env, PROJECT.resolve("target/wildfly-cli-it.log"))) {
            assertThat(cli.awaitExit(Duration.ofMinutes(2))).as(cli.log()).isZero();
            assertThat(cli.log()).as("every CLI operation succeeds").doesNotContain("\"outcome\" => \"failed\"");
        }
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

    private static RawHttp raw() throws IOException {
        return new RawHttp(URI.create("http://127.0.0.1:" + httpPort + "/").toURL());
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

    /** The container's log directory: {@code jboss.server.log.dir}, by the default {@code gateway.access-log.path}. */
    @Test
    void writesTheAccessLogToTheServerLogDirectory() throws Exception {
        String id = "wildfly-" + UUID.randomUUID();
        CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/tollgate/api/logged"))
                .header("X-Request-Id", id).build(), HttpResponse.BodyHandlers.ofString());
        Path file = base.resolve("log/tollgate-access.json");
        assertThat(ServerProcess.poll(() -> {
            try {
                return Files.exists(file) && Files.readString(file).contains("\"http.request.id\":\"" + id + "\"");
            } catch (IOException e) {
                return false;
            }
        }, Duration.ofSeconds(20))).as("a line for " + id + " in " + file).isTrue();
    }

    @Test
    void proxiesOverHttp2WithTlsFromTheConfiguredKeystore() throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            trusted.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        HttpClient h2 = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> res = h2.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + httpsPort + "/tollgate/api/h2")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.version()).as("HTTP/2 chosen by ALPN").isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("X-Upstream")).hasValue("wildfly");
    }

    /** RFC 9113 section 3.1: the h2c upgrade is deprecated; the request is answered over HTTP/1.1, not 101. */
    @Test
    void anH2cUpgradeIsIgnoredAndAnsweredOverHttp11() throws Exception {
        try (RawHttp raw = raw()) {
            String answer = raw.send("GET /tollgate/api/upgrade HTTP/1.1\r\nHost: a\r\n"
                    + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"
                    + "\r\n").readUntil(EMPTY_ECHO_END);
            assertThat(answer).startsWith("HTTP/1.1 200").doesNotContain("101 Switching Protocols")
                    .contains("\"target\":\"/upgrade\"").endsWith(EMPTY_ECHO_END);
        }
    }

    @Test
    void aTrickledRequestHeadIsClosedAtTheDeadline() throws Exception {
        Trickle.Outcome outcome = Trickle.send("127.0.0.1", httpPort, "GET /tollgate/api/slow HTTP/1.1\r\nHost: a\r\n",
                "X-Slow: 1\r\n", Duration.ofMillis(500), GIVE_UP);
        assertThat(outcome.closed()).as("closed within " + GIVE_UP + " after %d header lines", outcome.piecesSent())
                .isTrue();
        assertThat(outcome.answer()).as("no request was served").doesNotContain("/slow");
    }

    /**
     * Undertow has no minimum body data rate and its read timeout restarts with every byte: the gateway's own
     * rate refuses a body trickled byte by byte, with 408, before any of it reaches the upstream.
     */
    @Test
    void aTrickledBodyBelowTheMinimumDataRateIsRefused() throws Exception {
        Trickle.Outcome outcome = Trickle.send("127.0.0.1", httpPort,
                "POST /tollgate/api/upload HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\n"
                        + "Content-Length: 100000\r\n\r\n", "0123456789", Duration.ofMillis(200), GIVE_UP);
        assertThat(outcome.closed()).as("closed within " + GIVE_UP + " after %d pieces", outcome.piecesSent())
                .isTrue();
        assertThat(outcome.answer()).startsWith("HTTP/1.1 408").contains("application/problem+json")
                .doesNotContain("\"target\":\"/upload\"");
    }

    /** Undertow does not wait for a request line after blank lines: it refuses them at once. */
    @Test
    void blankLinesBeforeTheRequestLineDoNotHoldTheConnection() throws Exception {
        Trickle.Outcome outcome = Trickle.send("127.0.0.1", httpPort, "\r\n", "\r\n", Duration.ofMillis(500), GIVE_UP);
        assertThat(outcome.closed()).as("closed within " + GIVE_UP).isTrue();
        assertThat(outcome.answer()).startsWith("HTTP/1.1 400");
    }

    @Test
    void aHeadThatArrivesInTimeIsServedAndTheConnectionKeptForTheNext() throws Exception {
        try (RawHttp raw = raw()) {
            String answer = raw.send("GET /tollgate/api/one HTTP/1.1\r\nHost: a\r\n\r\n").readUntil(EMPTY_ECHO_END);
            assertThat(answer).startsWith("HTTP/1.1 200").contains("\"target\":\"/one\"").endsWith(EMPTY_ECHO_END);
            answer = raw.send("GET /tollgate/api/two HTTP/1.1\r\nHost: a\r\n\r\n").readUntil(EMPTY_ECHO_END);
            assertThat(answer).startsWith("HTTP/1.1 200").contains("\"target\":\"/two\"").endsWith(EMPTY_ECHO_END);
        }
    }
}
