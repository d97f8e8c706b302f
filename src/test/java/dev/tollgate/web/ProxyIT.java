package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testsupport.Bytes;
import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.RawHttp;
import dev.tollgate.testsupport.UpstreamServer;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Routing, methods, bodies and headers through the real WAR on embedded Jetty 12, to real upstreams. */
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
                "gateway.routes.users.service = users",
                "gateway.routes.rules.path = /rules/**",
                "gateway.routes.rules.service = users",
                "gateway.routes.rules.preserve-host = true",
                "gateway.routes.rules.request-headers.set.X-Set = set-by-gateway",
                "gateway.routes.rules.request-headers.add.X-Add = added",
                "gateway.routes.rules.request-headers.remove = X-Remove-Me",
                "gateway.routes.rules.response-headers.set.X-Resp = from-route",
                "gateway.routes.rules.response-headers.remove = X-Upstream",
                "gateway.routes.raw.path = /raw/**",
                "gateway.routes.raw.service = users",
                "gateway.routes.raw.strip-prefix = /raw"));
    }

    @AfterAll
    static void stop() throws Exception {
        orders.close();
        users.close();
    }

    private URI uri(String path) {
        return URI.create("http://" + base.getHost() + ":" + base.getPort() + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode echo(HttpRequest.Builder b) throws Exception {
        HttpResponse<String> r = send(b);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static String header(JsonNode echo, String name) {
        for (JsonNode h : echo.get("headers")) {
            if (h.get(0).asText().equalsIgnoreCase(name)) {
                return h.get(1).asText();
            }
        }
        return null;
    }

    private String raw(String request) throws Exception {
        try (RawHttp c = new RawHttp(base)) {
            return c.send(request).readAll();
        }
    }

    @Test
    void mostSpecificRouteWinsAndPrefixIsStripped() throws Exception {
        JsonNode e = echo(HttpRequest.newBuilder(uri("/api/orders/42")));
        assertThat(e.get("upstream").asText()).isEqualTo("orders");
        assertThat(e.get("target").asText()).isEqualTo("/orders/42");
        assertThat(echo(HttpRequest.newBuilder(uri("/api/other"))).get("upstream").asText()).isEqualTo("users");
    }

    @Test
    void pathAndQueryReachTheUpstreamByteExact() throws Exception {
        String target = "/api/caf%C3%A9/x%20y?q=%2F%2e&a=b+c&&e=%7E&empty=";
        assertThat(echo(HttpRequest.newBuilder(uri(target))).get("target").asText()).isEqualTo(target);
    }

    @Test
    void dotSegmentsAreRemovedBeforeRoutingAndForwarding() throws Exception {
        String r = raw("GET /api/users/../orders/7 HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
        assertThat(RawHttp.status(r)).isEqualTo(200);
        assertThat(r).contains("\"upstream\":\"orders\"").contains("\"target\":\"/orders/7\"");
    }

    @Test
    void fragmentIsNeverForwarded() throws Exception {
        String r = raw("GET /api/frag?x=1#secret HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
        assertThat(RawHttp.status(r)).isEqualTo(200);
        assertThat(users.last().target()).isEqualTo("/api/frag?x=1");
    }

    @Test
    void everyMethodIsForwardedWithItsBody() throws Exception {
        for (String m : List.of("GET", "DELETE", "OPTIONS", "POST", "PUT", "PATCH")) {
            JsonNode e = echo(HttpRequest.newBuilder(uri("/api/m")).header("Content-Type", "text/plain").method(m,
                    HttpRequest.BodyPublishers.ofString("body of " + m)));
            assertThat(e.get("method").asText()).isEqualTo(m);
            assertThat(e.get("bodyLength").asLong()).isEqualTo(("body of " + m).length());
        }
        HttpResponse<String> head = send(HttpRequest.newBuilder(uri("/api/orders/1"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(orders.last().method()).isEqualTo("HEAD");
        assertThat(head.headers().firstValue("Content-Length")).isPresent();
    }

    @Test
    void chunkedRequestBodyStreamsThrough() throws Exception {
        JsonNode e = echo(HttpRequest.newBuilder(uri("/api/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> Bytes.stream(300_000))));
        assertThat(header(e, "Transfer-Encoding")).isEqualTo("chunked");
        assertThat(e.get("bodySha256").asText()).isEqualTo(Bytes.sha256(300_000));
    }

    @Test
    void hopByHopHeadersAreRemovedInBothDirections() throws Exception {
        String r = raw("GET /raw/hop HTTP/1.1\r\nHost: gw\r\n"
                + "Connection: close, X-Hop-Secret, Upgrade, HTTP2-Settings\r\nX-Hop-Secret: s\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
                + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\nProxy-Authorization: Basic eDp5\r\n"
                + "Proxy-Connection: keep-alive\r\nTrailer: X-T\r\nX-End-To-End: yes\r\n\r\n");
        assertThat(RawHttp.status(r)).as(r).isEqualTo(200);
        UpstreamServer.Seen seen = users.last();
        for (String hop : List.of("X-Hop-Secret", "Keep-Alive", "TE", "Upgrade", "Proxy-Authorization",
                "Proxy-Connection", "Trailer", "HTTP2-Settings")) {
            assertThat(seen.header(hop)).as(hop).isNull();
        }
        assertThat(seen.header("Connection")).isNotEqualToIgnoringCase("close, X-Hop-Secret");
        assertThat(seen.header("X-End-To-End")).isEqualTo("yes");
        String head = r.substring(0, r.indexOf("\r\n\r\n")).toLowerCase();
        assertThat(head).doesNotContain("x-secret-hop").doesNotContain("keep-alive: timeout")
                .doesNotContain("proxy-authenticate").contains("x-end-to-end: kept");
    }

    @Test
    void forwardingHeadersFromAnUntrustedClientAreReplaced() throws Exception {
        int port = base.getPort();
        String r = raw("GET /api/fwd HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-Forwarded-For: 6.6.6.6\r\n"
                + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: evil\r\nX-Forwarded-Port: 1\r\n"
                + "Forwarded: for=6.6.6.6\r\nVia: 1.0 client-proxy\r\nConnection: close\r\n\r\n");
        assertThat(RawHttp.status(r)).isEqualTo(200);
        UpstreamServer.Seen s = users.last();
        assertThat(s.headers("X-Forwarded-For")).containsExactly("127.0.0.1");
        assertThat(s.header("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(s.header("X-Forwarded-Host")).isEqualTo("127.0.0.1:" + port);
        assertThat(s.header("X-Forwarded-Port")).isEqualTo(Integer.toString(port));
        assertThat(s.headers("Forwarded")).containsExactly("for=127.0.0.1;proto=http;host=\"127.0.0.1:" + port + "\"");
        assertThat(s.header("Via")).isEqualTo("1.0 client-proxy, 1.1 tollgate");
        assertThat(r).containsIgnoringCase("Via: 1.1 tollgate");
    }

    @Test
    void hostIsRewrittenToTheInstanceUnlessTheRoutePreservesIt() throws Exception {
        echo(HttpRequest.newBuilder(uri("/api/h")));
        assertThat(users.last().header("Host")).isEqualTo("127.0.0.1:" + users.port());
        raw("GET /rules/h HTTP/1.1\r\nHost: 127.0.0.1:" + base.getPort() + "\r\nConnection: close\r\n\r\n");
        assertThat(users.last().header("Host")).isEqualTo("127.0.0.1:" + base.getPort());
    }

    @Test
    void requestIdIsPropagatedOrGeneratedAndEchoed() throws Exception {
        HttpResponse<String> kept = send(HttpRequest.newBuilder(uri("/api/id")).header("X-Request-Id", "abc-123.x:y"));
        assertThat(kept.headers().firstValue("X-Request-Id")).hasValue("abc-123.x:y");
        assertThat(users.last().header("X-Request-Id")).isEqualTo("abc-123.x:y");

        HttpResponse<String> replaced = send(HttpRequest.newBuilder(uri("/api/id")).header("X-Request-Id", "bad id<>"));
        String generated = replaced.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(generated).matches("[0-9a-f]{32}");
        assertThat(users.last().header("X-Request-Id")).isEqualTo(generated);

        HttpResponse<String> fresh = send(HttpRequest.newBuilder(uri("/api/id")));
        assertThat(fresh.headers().firstValue("X-Request-Id").orElseThrow()).matches("[0-9a-f]{32}")
                .isNotEqualTo(generated);
    }

    @Test
    void traceparentIsPropagatedWithANewSpanOrStarted() throws Exception {
        String incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        send(HttpRequest.newBuilder(uri("/api/t")).header("traceparent", incoming));
        String sent = users.last().header("traceparent");
        assertThat(sent).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-").endsWith("-01")
                .isNotEqualTo(incoming);
        send(HttpRequest.newBuilder(uri("/api/t")));
        assertThat(users.last().header("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    }

    @Test
    void cookiesLocationAndRepeatedHeadersPassUnmangled() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/raw/cookies")));
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().allValues("Set-Cookie")).containsExactly("a=1; Path=/; HttpOnly",
                "b=\"two words\"; Expires=Wed, 21 Oct 2037 07:28:00 GMT");
        assertThat(r.headers().firstValue("Location")).hasValue("http://internal.example:8080/next?x=%2F&y=1");
        assertThat(r.headers().allValues("X-Multi")).containsExactly("one", "two");
    }

    @Test
    void upstreamStatusesAndBodiesPassThroughUnchanged() throws Exception {
        for (int status : List.of(201, 400, 404, 409, 500, 502, 503)) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/raw/status/" + status)));
            assertThat(r.statusCode()).isEqualTo(status);
            assertThat(r.body()).isEqualTo("status " + status + " from users");
            assertThat(r.headers().firstValue("Content-Type")).isNotEqualTo("application/problem+json");
        }
    }

    @Test
    void routeHeaderRulesApplyInBothDirections() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/rules/x")).header("X-Set", "client")
                .header("X-Add", "client").header("X-Remove-Me", "gone"));
        assertThat(r.statusCode()).isEqualTo(200);
        UpstreamServer.Seen s = users.last();
        assertThat(s.headers("X-Set")).containsExactly("set-by-gateway");
        assertThat(s.headers("X-Add")).containsExactly("client", "added");
        assertThat(s.header("X-Remove-Me")).isNull();
        assertThat(r.headers().firstValue("X-Resp")).hasValue("from-route");
        assertThat(r.headers().firstValue("X-Upstream")).isEmpty();
    }

    @Test
    void noRouteIsAProblem404() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/nothing/here")));
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode p = JSON.readTree(r.body());
        assertThat(p.get("status").asInt()).isEqualTo(404);
        assertThat(p.get("requestId").asText()).isEqualTo(r.headers().firstValue("X-Request-Id").orElseThrow());
    }
}
