package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.RawHttp;
import dev.tollgate.testsupport.UpstreamServer;
import java.net.URL;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed and hostile input over raw sockets: every case gets its status, never reaches the upstream, and
 * where RFC 9112 asks for it the connection is closed. Afterwards the gateway still answers normally.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HygieneIT {
    private static UpstreamServer upstream;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        upstream = new UpstreamServer("hygiene");
        return GatewayDeployment.war(String.join("\n",
                "gateway.services.up.instances = " + upstream.uri(),
                "gateway.routes.api.path = /api/**",
                "gateway.routes.api.service = up",
                "gateway.routes.small.path = /small/**",
                "gateway.routes.small.service = up",
                "gateway.routes.small.max-body-size = 1KB",
                "gateway.limits.max-header-count = 50"));
    }

    @AfterAll
    static void stop() throws Exception {
        upstream.close();
    }

    /** After every hostile case the gateway still answers a normal request. */
    @AfterEach
    void stillServesNormally() throws Exception {
        String r = exchange("GET /api/ok HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
        assertThat(RawHttp.status(r)).as(r).isEqualTo(200);
    }

    private String exchange(String request) throws Exception {
        try (RawHttp c = new RawHttp(base)) {
            return c.send(request).readAll();
        }
    }

    /** Sends a request that must be refused: returns the response; checks the upstream never saw it. */
    private String refused(String request, int status) throws Exception {
        int before = upstream.count();
        String r = exchange(request);
        assertThat(RawHttp.status(r)).as(r).isEqualTo(status);
        assertThat(upstream.count()).as("reached the upstream").isEqualTo(before);
        return r;
    }

    private static void closed(String response) {
        assertThat(response).as("connection closed by the gateway").doesNotContain("<<read timed out");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/%2e%2e/secret", "/api/%2E/x", "/api/a%2fb", "/api/a%2Fb", "/api/a%5cb",
        "/api/%252e%252e/x", "/api/a%00b", "/api/a;jsessionid=0123", "/api/a;x=1/b", "/api//x", "/api/a\\b",
        "/api/../../etc/passwd", "/api/a%zzb", "/api/%C0%AE%C0%AE/secret", "/api/a%C0%AFb", "/api/%FF"})
    void ambiguousPathsAreRefused(String path) throws Exception {
        // keep-alive request: the gateway answers and (for its own 400) keeps no stale state
        String r = refused("GET " + path + " HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n", 400);
        assertThat(r).doesNotContain("Exception").doesNotContain("127.0.0.1");
    }

    @Test
    void absoluteFormNamingAForeignHostIsRefused() throws Exception {
        refused("GET http://evil.example/api/x HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n", 400);
    }

    @Test
    void absoluteFormNamingTheSameHostIsServed() throws Exception {
        String r = exchange("GET http://gw/api/abs HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
        assertThat(RawHttp.status(r)).isEqualTo(200);
        assertThat(upstream.last().target()).isEqualTo("/api/abs");
    }

    @Test
    void connectIsRefused() throws Exception {
        refused("CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n", 400);
    }

    @Test
    void contentLengthWithTransferEncodingIsRefusedAndClosed() throws Exception {
        closed(refused("POST /api/x HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /api/smuggled HTTP/1.1\r\nHost: gw\r\n\r\n", 400));
    }

    @Test
    void unknownTransferCodingIs501() throws Exception {
        closed(refused("POST /api/x HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501));
    }

    @Test
    void transferEncodingNotEndingInChunkedIs400() throws Exception {
        // RFC 9112 section 6.3: the length cannot be determined; 400 and close
        closed(refused("POST /api/x HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: gzip\r\n\r\n", 400));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Transfer-Encoding: chunked, chunked", "Transfer-Encoding: xchunked",
        "Transfer-Encoding:\u000bchunked", "Transfer-Encoding : chunked", "Transfer-Encoding: chunked\r\n x"})
    void obfuscatedTransferEncodingIsRefused(String header) throws Exception {
        int before = upstream.count();
        String r = exchange("POST /api/x HTTP/1.1\r\nHost: gw\r\n" + header + "\r\n\r\n0\r\n\r\n");
        assertThat(RawHttp.status(r)).as(r).isIn(400, 501);
        assertThat(upstream.count()).isEqualTo(before);
        closed(r);
    }

    @Test
    void transferEncodingOnHttp10IsRefused() throws Exception {
        closed(refused("POST /api/x HTTP/1.0\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Content-Length: ", "Content-Length: +16", "Content-Length: 0x10", "Content-Length: -1",
        "Content-Length: 99999999999999999999999", "Content-Length: 5\r\nContent-Length: 6",
        "Content-Length: 5, 6", "Content-Length: 1 6"})
    void malformedContentLengthIsRefusedAndClosed(String header) throws Exception {
        closed(refused("POST /api/x HTTP/1.1\r\nHost: gw\r\n" + header + "\r\n\r\n0123456789abcdef", 400));
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-Space : value", "X-Fold: one\r\n two", "X-Nul: a\u0000b"})
    void headerSyntaxErrorsAreRefused(String header) throws Exception {
        refused("GET /api/x HTTP/1.1\r\nHost: gw\r\n" + header + "\r\nConnection: close\r\n\r\n", 400);
    }

    @Test
    void missingOrDuplicateHostIsRefused() throws Exception {
        refused("GET /api/x HTTP/1.1\r\nConnection: close\r\n\r\n", 400);
        refused("GET /api/x HTTP/1.1\r\nHost: gw\r\nHost: other\r\nConnection: close\r\n\r\n", 400);
    }

    /** The container refuses its protected paths itself; the WAR's error page answers them as a problem. */
    @ParameterizedTest
    @ValueSource(strings = {"/WEB-INF/web.xml", "/WEB-INF/problem", "/META-INF/MANIFEST.MF", "/web-inf/web.xml"})
    void containerProtectedPathsAreAProblemNotAFile(String path) throws Exception {
        String r = refused("GET " + path + " HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n", 404);
        assertThat(r).contains("application/problem+json").contains("\"status\":404").doesNotContain("<web-app")
                .doesNotContain("Manifest-Version");
    }

    @Test
    void underscoreInHeaderNameIsRefused() throws Exception {
        String r = refused("GET /api/x HTTP/1.1\r\nHost: gw\r\nX_User_Id: admin\r\nConnection: close\r\n\r\n", 400);
        assertThat(r).contains("application/problem+json").contains("underscore");
    }

    @Test
    void overlongUriIs414() throws Exception {
        refused("GET /api/" + "a".repeat(9000) + " HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n", 414);
    }

    @Test
    void tooLargeOrTooManyHeadersAre431() throws Exception {
        refused("GET /api/x HTTP/1.1\r\nHost: gw\r\nX-Big: " + "b".repeat(10_000) + "\r\nConnection: close\r\n\r\n",
                431);
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            many.append("X-H").append(i).append(": v\r\n");
        }
        refused("GET /api/x HTTP/1.1\r\nHost: gw\r\n" + many + "Connection: close\r\n\r\n", 431);
    }

    @Test
    void bodyOverTheRouteLimitIs413WithContentLength() throws Exception {
        closed(refused("POST /small/x HTTP/1.1\r\nHost: gw\r\nContent-Length: 2000\r\n\r\n" + "x".repeat(2000), 413));
    }

    @Test
    void chunkedBodyOverTheRouteLimitIs413() throws Exception {
        StringBuilder chunks = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            chunks.append("100\r\n").append("y".repeat(256)).append("\r\n");
        }
        String r = exchange("POST /small/x HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks
                + "0\r\n\r\n");
        assertThat(RawHttp.status(r)).as(r).isEqualTo(413);
        closed(r);
        assertThat(upstream.last().target()).isNotEqualTo("/small/x-complete");
    }

    @Test
    void optionsWithABodyButNoContentTypeIsRefused() throws Exception {
        refused("OPTIONS /api/x HTTP/1.1\r\nHost: gw\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc", 400);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        String r = exchange("GET /api/one HTTP/1.1\r\nHost: gw\r\n\r\nGET /api/two HTTP/1.1\r\nHost: gw\r\n\r\n"
                + "GET /api/three HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
        assertThat(RawHttp.statuses(r)).containsExactly(200, 200, 200);
        assertThat(r.indexOf("/api/one")).isLessThan(r.indexOf("/api/two"));
        assertThat(r.indexOf("/api/two")).isLessThan(r.indexOf("/api/three"));
    }

    @Test
    void slowHeaderSenderIsCutOff() throws Exception {
        try (RawHttp c = new RawHttp(base)) {
            c.send("GET /api/slowloris HTTP/1.1\r\nHost: gw\r\nX-Partial: ");
            closed(c.readAll());
        }
    }

    @Test
    void slowBodySenderIsCutOff() throws Exception {
        try (RawHttp c = new RawHttp(base)) {
            c.send("POST /api/slowbody HTTP/1.1\r\nHost: gw\r\nContent-Length: 100\r\n\r\n0123456789");
            String r = c.readAll();
            closed(r);
            List<Integer> statuses = RawHttp.statuses(r);
            assertThat(statuses).allMatch(s -> s == 408 || s == 400);
        }
    }
}
