package dev.tollgate.production;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.HoldingUpstream;
import dev.tollgate.testsupport.RawHttp;
import dev.tollgate.testsupport.ServerProcess;
import dev.tollgate.testsupport.Trickle;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clear-text connector of the Jetty distribution's base against hostile clients, on a raw socket: a request
 * head trickled line by line, a body trickled byte by byte, and an {@code Upgrade: h2c}. The server runs as
 * {@code server-config/jetty.sh} starts it, with a short head deadline and a high minimum body data rate (the
 * gateway's), so that the slow clients are closed quickly; the assertions are only "closed within" a generous
 * time.
 */
class JettyConnectorIT {
    private static final Duration HEAD_DEADLINE = Duration.ofSeconds(3);
    private static final Duration GIVE_UP = Duration.ofSeconds(25);

    private static HoldingUpstream upstream;
    private static ServerProcess jetty;
    private static int port;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        upstream = new HoldingUpstream();
        Path config = dir.resolve("gateway.properties");
        Files.writeString(config, String.join("\n",
                "gateway.services.up.instances = " + upstream.uri(),
                "gateway.routes.api.path = /api/**",
                "gateway.routes.api.service = up",
                "gateway.routes.api.strip-prefix = /api",
                "gateway.limits.min-body-rate = 1KB",
                "gateway.limits.min-body-rate-grace = 1s", ""));
        port = ServerProcess.freePort();
        jetty = ServerProcess.start(
                List.of("bash", DeploymentFiles.JETTY_SCRIPT, config.toString(), "jetty.http.port=" + port,
                        "tollgate.http.requestHeadTimeout=" + HEAD_DEADLINE.toMillis()),
                DeploymentFiles.PROJECT,
                Map.of("JETTY_HOME", System.getProperty("tollgate.jetty.home"),
                        "TOLLGATE_WAR", System.getProperty("tollgate.war"),
                        "JAVA_HOME", System.getProperty("java.home")),
                DeploymentFiles.PROJECT.resolve("target/jetty-connector-it.log"));
        jetty.awaitReady(JettyConnectorIT::answers, Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() throws Exception {
        if (jetty != null) {
            jetty.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private static boolean answers() {
        try (RawHttp raw = new RawHttp(URI.create("http://127.0.0.1:" + port + "/").toURL())) {
            return raw.send("GET /api/ready HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").readAll()
                    .startsWith("HTTP/1.1 200");
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void aTrickledRequestHeadIsClosedAtTheDeadline() throws Exception {
        Trickle.Outcome outcome = Trickle.send("127.0.0.1", port, "GET /api/slow HTTP/1.1\r\nHost: a\r\n",
                "X-Slow: 1\r\n", Duration.ofMillis(500), GIVE_UP);
        assertThat(outcome.closed()).as("closed within " + GIVE_UP + " after %d header lines", outcome.piecesSent())
                .isTrue();
        assertThat(outcome.answer()).as("no request was served").doesNotContain("hello /slow");
        if (!outcome.answer().isEmpty()) {
            assertThat(RawHttp.status(outcome.answer())).isEqualTo(408);
        }
    }

    @Test
    void blankLinesBeforeTheRequestLineCountTowardsTheDeadline() throws Exception {
        Trickle.Outcome outcome = Trickle.send("127.0.0.1", port, "\r\n", "\r\n", Duration.ofMillis(500), GIVE_UP);
        assertThat(outcome.closed()).as("closed within " + GIVE_UP).isTrue();
    }

    @Test
    void aHeadThatArrivesInTimeIsServedAndTheConnectionKeptForTheNext() throws Exception {
        try (RawHttp raw = new RawHttp(URI.create("http://127.0.0.1:" + port + "/").toURL())) {
            String answer = raw.send("GET /api/one HTTP/1.1\r\nHost: a\r\n\r\n").readUntil("hello /one");
            assertThat(answer).startsWith("HTTP/1.1 200");
            answer = raw.send("GET /api/two HTTP/1.1\r\nHost: a\r\n\r\n").readUntil("hello /two");
            assertThat(answer).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aTrickledBodyBelowTheMinimumDataRateIsClosed() throws Exception {
        Trickle.Outcome outcome = Trickle.send("127.0.0.1", port,
                "POST /api/upload HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n",
                "0123456789", Duration.ofMillis(500), GIVE_UP);
        assertThat(outcome.closed()).as("closed within " + GIVE_UP + " after %d pieces", outcome.piecesSent())
                .isTrue();
        assertThat(outcome.answer()).startsWith("HTTP/1.1 408").doesNotContain("hello /upload");
    }

    /** RFC 9113 section 3.1: the h2c upgrade is deprecated; the request is answered over HTTP/1.1, not 101. */
    @Test
    void anH2cUpgradeIsIgnoredAndAnsweredOverHttp11() throws Exception {
        try (RawHttp raw = new RawHttp(URI.create("http://127.0.0.1:" + port + "/").toURL())) {
            String answer = raw.send("GET /api/upgrade HTTP/1.1\r\nHost: a\r\n"
                    + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"
                    + "\r\n").readUntil("hello /upgrade");
            assertThat(answer).startsWith("HTTP/1.1 200").doesNotContain("101 Switching Protocols")
                    .endsWith("hello /upgrade");
        }
    }

    @Test
    void h2cByPriorKnowledgeStillWorks() throws Exception {
        HttpClient h2c = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
        h2c.start();
        try {
            ContentResponse res = h2c.newRequest("http://127.0.0.1:" + port + "/api/prior")
                    .timeout(30, TimeUnit.SECONDS).send();
            assertThat(res.getVersion()).isEqualTo(HttpVersion.HTTP_2);
            assertThat(res.getContentAsString()).isEqualTo("hello /prior");
        } finally {
            h2c.stop();
        }
    }
}
