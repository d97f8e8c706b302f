package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.GatewayDeployment;
import dev.tollgate.testsupport.HoldingUpstream;
import dev.tollgate.testsupport.JwksServer;
import dev.tollgate.testsupport.Jwts;
import dev.tollgate.testsupport.RawHttp;
import dev.tollgate.testsupport.ServerProcess;
import dev.tollgate.testsupport.UpstreamServer;
import dev.tollgate.testsupport.WebSocketUpstream;
import java.net.URL;
import java.security.KeyPair;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * WebSocket routes on the embedded Jetty 12.0 of the integration tests, up to the switch of protocols: what is
 * decided before the upgrade (handshake rules, authentication, the upstream's refusal, 502 and 504, routes
 * without WebSocket, h2c) and the 501 of a container that cannot switch. The tunnels themselves are proven on
 * WildFly ({@code WebSocketWildFlyIT}). Real upstreams: Jetty's WebSocket server, a plain HTTP server, one
 * that never answers.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class WebSocketIT {
    private static final KeyPair KEY = Jwts.rsa();
    private static final String KEY_B64 = "dGhlIHNhbXBsZSBub25jZQ==";
    private static WebSocketUpstream ws;
    private static UpstreamServer plain;
    private static HoldingUpstream holding;
    private static JwksServer jwks;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        ws = new WebSocketUpstream();
        plain = new UpstreamServer("plain");
        holding = new HoldingUpstream();
        jwks = new JwksServer(Jwts.jwks(Jwts.jwk("ws", KEY.getPublic(), "RS256")));
        int closed = ServerProcess.freePort();
        return GatewayDeployment.war(String.join("\n",
                "gateway.auth.jwt.jwks-uri = " + jwks.uri(),
                "gateway.services.ws.instances = " + ws.uri(),
                "gateway.services.plain.instances = " + plain.uri(),
                "gateway.services.holding.instances = " + holding.uri(),
                "gateway.services.gone.instances = http://127.0.0.1:" + closed,
                route("chat", "ws", "gateway.routes.chat.websocket = true"),
                route("secure", "ws", "gateway.routes.secure.websocket = true\ngateway.routes.secure.auth = jwt"),
                route("plain", "plain", ""),
                route("wsplain", "plain", "gateway.routes.wsplain.websocket = true"),
                route("silent", "holding", "gateway.routes.silent.websocket = true\n"
                        + "gateway.routes.silent.response-timeout = 1s"),
                route("gone", "gone", "gateway.routes.gone.websocket = true")));
    }

    private static String route(String name, String service, String extra) {
        return String.join("\n", "gateway.routes." + name + ".path = /" + name + "/**",
                "gateway.routes." + name + ".service = " + service,
                "gateway.routes." + name + ".strip-prefix = /" + name, extra);
    }

    @AfterAll
    static void stop() throws Exception {
        ws.close();
        plain.close();
        holding.release();
        holding.close();
        jwks.close();
    }

    private String upgrade(String path, String... headers) throws Exception {
        StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: gw\r\n");
        for (String h : headers) {
            req.append(h).append("\r\n");
        }
        try (RawHttp c = new RawHttp(base)) {
            return c.send(req.append("\r\n").toString()).readAll();
        }
    }

    private String websocket(String path, String... extra) throws Exception {
        String[] h = new String[4 + extra.length];
        h[0] = "Connection: Upgrade, close";
        h[1] = "Upgrade: websocket";
        h[2] = "Sec-WebSocket-Key: " + KEY_B64;
        h[3] = "Sec-WebSocket-Version: 13";
        System.arraycopy(extra, 0, h, 4, extra.length);
        return upgrade(path, h);
    }

    @Test
    void aBrokenHandshakeIs400() throws Exception {
        String answer = upgrade("/chat/echo", "Connection: Upgrade, close", "Upgrade: websocket",
                "Sec-WebSocket-Version: 13");
        assertThat(RawHttp.status(answer)).isEqualTo(400);
        assertThat(answer).contains("application/problem+json").contains("Sec-WebSocket-Key");
    }

    @Test
    void authenticationIsCheckedBeforeTheUpstreamIsContacted() throws Exception {
        int before = ws.upgrades();
        String answer = websocket("/secure/echo");
        assertThat(RawHttp.status(answer)).isEqualTo(401);
        assertThat(answer).contains("WWW-Authenticate: Bearer");
        assertThat(ws.upgrades()).isEqualTo(before);
    }

    @Test
    void anUpstreamRefusalPassesThroughWithItsBody() throws Exception {
        String answer = websocket("/chat/not-here");
        assertThat(RawHttp.status(answer)).isEqualTo(403);
        assertThat(answer).contains("X-Refused-By: upstream").endsWith("no websocket here");
    }

    @Test
    void anUpstreamThatDoesNotAnswerIs504() throws Exception {
        String answer = websocket("/silent/hold");
        assertThat(RawHttp.status(answer)).isEqualTo(504);
        assertThat(answer).contains("application/problem+json");
    }

    @Test
    void anUpstreamThatRefusesTheConnectionIs502() throws Exception {
        String answer = websocket("/gone/echo");
        assertThat(RawHttp.status(answer)).isEqualTo(502);
        assertThat(answer).contains("application/problem+json");
    }

    @Test
    void aRouteWithoutWebSocketDropsTheUpgrade() throws Exception {
        String answer = websocket("/plain/echo");
        assertThat(RawHttp.status(answer)).isEqualTo(200);
        assertThat(plain.last().header("Upgrade")).isNull();
        assertThat(plain.last().header("Connection")).doesNotContainIgnoringCase("upgrade");
    }

    @Test
    void anH2cUpgradeIsNeverPassedOnEvenOnAWebSocketRoute() throws Exception {
        String answer = upgrade("/wsplain/h2c", "Connection: Upgrade, HTTP2-Settings, close", "Upgrade: h2c",
                "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA");
        assertThat(RawHttp.status(answer)).isEqualTo(200);
        assertThat(plain.last().target()).isEqualTo("/h2c");
        assertThat(plain.last().header("Upgrade")).isNull();
        assertThat(plain.last().header("HTTP2-Settings")).isNull();
    }

    @Test
    void aContainerThatCannotSwitchProtocolsAnswers501AndClosesTheUpstream() throws Exception {
        int before = ws.upgrades();
        String answer = websocket("/chat/echo");
        assertThat(ws.upgrades()).as("the upstream accepted").isEqualTo(before + 1);
        assertThat(RawHttp.status(answer)).isEqualTo(501);
        assertThat(answer).contains("application/problem+json");
        assertThat(ServerProcess.poll(() -> !ws.closes().isEmpty(), java.time.Duration.ofSeconds(30)))
                .as("the upstream connection is closed").isTrue();
    }
}
