package dev.tollgate.web;

import static dev.tollgate.testsupport.Gateways.attribute;
import static dev.tollgate.testsupport.Gateways.within;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.RawHttp;
import dev.tollgate.testsupport.RawUpstream;
import dev.tollgate.testsupport.ServerProcess;
import dev.tollgate.testsupport.UpstreamServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** How upstream failures reach the client: problem answers before the response starts, aborts after. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FailureIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static UpstreamServer upstream;
    private static RawUpstream blackHole;
    private static RawUpstream bothFramings;
    private static RawUpstream badLength;
    private static int deadPort;
    /** Never accepts, and its accept queue is kept full: a connect to it hangs until the connect timeout. */
    private static ServerSocket unresponsive;
    private static final List<Socket> QUEUED = new ArrayList<>();

    @ArquillianResource
    private URL base;

    private final HttpClient http = HttpClient.newHttpClient();

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        upstream = new UpstreamServer("failing");
        blackHole = RawUpstream.blackHole();
        bothFramings = RawUpstream.answering("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        badLength = RawUpstream.answering("HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\nhello world!");
        deadPort = ServerProcess.freePort();
        unresponsive = fullAcceptQueue();
        return GatewayDeployment.war(String.join("\n",
                "gateway.http-client.connect-timeout = 60s",
                "gateway.services.stuck.instances = http://127.0.0.1:" + unresponsive.getLocalPort(),
                "gateway.routes.stuck.path = /stuck/**",
                "gateway.routes.stuck.service = stuck",
                "gateway.routes.stuck.connect-timeout = 300ms",
                "gateway.services.up.instances = " + upstream.uri(),
                "gateway.services.dead.instances = http://127.0.0.1:" + deadPort,
                "gateway.services.hole.instances = " + blackHole.uri(),
                "gateway.routes.up.path = /up/**",
                "gateway.routes.up.service = up",
                "gateway.routes.up.strip-prefix = /up",
                "gateway.routes.quick.path = /quick/**",
                "gateway.routes.quick.service = up",
                "gateway.routes.quick.strip-prefix = /quick",
                "gateway.routes.quick.response-timeout = 300ms",
                "gateway.routes.total.path = /total/**",
                "gateway.routes.total.service = up",
                "gateway.routes.total.strip-prefix = /total",
                "gateway.routes.total.total-timeout = 300ms",
                "gateway.routes.dead.path = /dead/**",
                "gateway.routes.dead.service = dead",
                "gateway.routes.hole.path = /hole/**",
                GatewayDeployment.serviceWithRoute("both", bothFramings.uri()),
                "gateway.services.both.passive-health.consecutive-failures = 1000",
                "gateway.services.both.breaker.request-volume-threshold = 1000",
                GatewayDeployment.serviceWithRoute("badlength", badLength.uri()),
                "gateway.services.badlength.passive-health.consecutive-failures = 1000",
                "gateway.services.badlength.breaker.request-volume-threshold = 1000",
                // two instances (by address and by name) that answer what they are asked, 502 and 503 included
                GatewayDeployment.serviceWithRoute("busy", upstream.uri() + ", "
                        + upstream.uri().replace("127.0.0.1", "localhost")),
                "gateway.services.busy.breaker.request-volume-threshold = 1000",
                "gateway.services.busy.passive-health.consecutive-failures = 1000",
                "gateway.routes.hole.service = hole",
                // the same upstream twice (by address and by name): two instances that both cut their bodies
                GatewayDeployment.serviceWithRoute("cut", upstream.uri() + ", "
                        + upstream.uri().replace("127.0.0.1", "localhost")),
                "gateway.services.cut.passive-health.consecutive-failures = 2",
                "gateway.services.cut.passive-health.base-ejection-time = 5m"));
    }

    /** A listening socket whose accept queue is full (Linux then drops further SYNs instead of refusing). */
    private static ServerSocket fullAcceptQueue() throws Exception {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        for (int i = 0; i < 16; i++) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 200);
                QUEUED.add(s);
            } catch (SocketTimeoutException e) {
                s.close();
                return server; // the queue is full: this connect hung
            }
        }
        throw new IllegalStateException("could not fill the accept queue of a backlog-1 socket");
    }

    @AfterAll
    static void stop() throws Exception {
        upstream.close();
        blackHole.close();
        bothFramings.close();
        badLength.close();
        for (Socket s : QUEUED) {
            s.close();
        }
        unresponsive.close();
    }

    private URI uri(String path) {
        return URI.create("http://" + base.getHost() + ":" + base.getPort() + path);
    }

    private JsonNode problem(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(r.body()).doesNotContain("127.0.0.1").doesNotContain("Exception").doesNotContain("at dev.");
        JsonNode p = JSON.readTree(r.body());
        assertThat(p.get("requestId").asText()).isEqualTo(r.headers().firstValue("X-Request-Id").orElseThrow());
        return p;
    }

    @Test
    void refusedConnectionIs502() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/dead/x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(problem(r, 502).get("title").asText()).isEqualTo("Bad Gateway");
    }

    @Test
    void theRoutesConnectTimeoutApplies() throws Exception {
        // the global connect timeout is 60 s: only the route's 300 ms can answer before the client gives up
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/stuck/x")).timeout(Duration.ofSeconds(15))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(problem(r, 502).get("detail").asText()).isEqualTo("The upstream service could not be reached.");
    }

    @Test
    void responseTimeoutIs504() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/quick/slow?ms=3000")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(problem(r, 504).get("title").asText()).isEqualTo("Gateway Timeout");
    }

    /** The route's total timeout bounds the whole exchange, below the response timeout. */
    @Test
    void theRoutesTotalTimeoutIs504() throws Exception {
        JsonNode p = problem(http.send(HttpRequest.newBuilder(uri("/total/slow?ms=3000")).build(),
                HttpResponse.BodyHandlers.ofString()), 504);
        assertThat(p.get("title").asText()).isEqualTo("Gateway Timeout");
        HttpResponse<String> fast = http.send(HttpRequest.newBuilder(uri("/total/echo")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(fast.statusCode()).isEqualTo(200);
    }

    @Test
    void postIsNeverSentTwiceAfterTheUpstreamMayHaveReceivedIt() throws Exception {
        int before = blackHole.requests();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/hole/pay"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":100}")).build(),
                HttpResponse.BodyHandlers.ofString());
        problem(r, 502);
        assertThat(blackHole.requests() - before).isEqualTo(1);
    }

    @Test
    void truncatedFixedLengthResponseAbortsTheClientConnection() throws Exception {
        try (RawHttp c = new RawHttp(base)) {
            String r = c.send("GET /up/truncate HTTP/1.1\r\nHost: gw\r\n\r\n").readAll();
            assertThat(RawHttp.status(r)).isEqualTo(200);
            assertThat(r).contains("Content-Length: 1000").doesNotContain("<<read timed out");
            String body = r.substring(r.indexOf("\r\n\r\n") + 4).replaceAll("\n<<.*>>$", "");
            assertThat(body.length()).isLessThan(1000);
        }
    }

    /**
     * An instance that cuts its responses off after the head fails like one that refuses: passive health counts
     * it and ejects it (at most one of the two, max-ejected-percent being 50).
     */
    @Test
    void truncatedResponsesCountAgainstTheInstancesHealth() throws Exception {
        String bean = "tollgate:type=Discovery,name=cut";
        for (int i = 0; i < 4; i++) {
            try (RawHttp c = new RawHttp(base)) {
                String r = c.send("GET /cut/truncate HTTP/1.1\r\nHost: gw\r\n\r\n").readAll();
                assertThat(RawHttp.status(r)).isEqualTo(200);
            }
        }
        // the outcome is reported when the request ends, which may be just after the client saw the abort
        assertThat(within(Duration.ofSeconds(2), () -> (Long) attribute(bean, "Ejections") == 1L))
                .as("ejections: %s", attribute(bean, "Ejections")).isTrue();
        assertThat((String[]) attribute(bean, "EjectedInstances")).hasSize(1);
    }

    /** RFC 9112 §6.1: both framings at once may be an attempt at response splitting, and is never relayed. */
    @Test
    void anUpstreamResponseWithBothFramingsIs502() throws Exception {
        for (int i = 0; i < 3; i++) {
            problem(http.send(HttpRequest.newBuilder(uri("/both/x")).build(), HttpResponse.BodyHandlers.ofString()),
                    502);
        }
        assertThat(bothFramings.requests()).as("each reached the upstream (a GET may be retried)")
                .isGreaterThanOrEqualTo(3);
    }

    @Test
    void anUpstreamResponseWithAnInvalidLengthIs502() throws Exception {
        problem(http.send(HttpRequest.newBuilder(uri("/badlength/x")).build(), HttpResponse.BodyHandlers.ofString()),
                502);
    }

    /**
     * A failure status with a body is retried on the other instance, and once the retry is spent the upstream's
     * own answer passes through: never the gateway's 500.
     */
    @Test
    void upstreamFailureStatusesWithABodyPassThroughAfterTheRetry() throws Exception {
        for (int i = 0; i < 20; i++) {
            int status = i % 2 == 0 ? 503 : 502;
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/busy/status/" + status)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
            assertThat(r.body()).startsWith("status " + status + " from failing");
        }
    }

    @Test
    void truncatedChunkedResponseNeverLooksComplete() throws Exception {
        try (RawHttp c = new RawHttp(base)) {
            String r = c.send("GET /up/truncate?chunked=1 HTTP/1.1\r\nHost: gw\r\n\r\n").readAll();
            assertThat(RawHttp.status(r)).isEqualTo(200);
            assertThat(r).containsIgnoringCase("Transfer-Encoding: chunked").doesNotContain("<<read timed out");
            assertThat(r.replaceAll("\n<<.*>>$", "")).doesNotEndWith("0\r\n\r\n");
        }
    }

    @Test
    void abortedDownloadsNeverPoisonPooledConnections() throws Exception {
        for (int i = 0; i < 5; i++) {
            HttpResponse<InputStream> big = http.send(HttpRequest.newBuilder(uri("/up/download?size=50000000")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = big.body()) {
                assertThat(in.readNBytes(100_000)).hasSize(100_000);
            }
        }
        for (int i = 0; i < 30; i++) {
            String id = "req-" + i;
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/up/echo/" + i)).header("X-Request-Id", id)
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode echo = JSON.readTree(r.body());
            assertThat(echo.get("target").asText()).isEqualTo("/echo/" + i);
            assertThat(r.headers().firstValue("X-Request-Id")).hasValue(id);
        }
    }

    @Test
    void clientAbortingItsUploadLeavesTheGatewayHealthy() throws Exception {
        for (int i = 0; i < 5; i++) {
            try (RawHttp c = new RawHttp(base)) {
                c.send("POST /up/echo HTTP/1.1\r\nHost: gw\r\nContent-Length: 100000\r\n\r\n" + "z".repeat(5000));
            }
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/up/after-abort"))
                .POST(HttpRequest.BodyPublishers.ofString("fine")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("bodyLength").asInt()).isEqualTo(4);
    }
}
