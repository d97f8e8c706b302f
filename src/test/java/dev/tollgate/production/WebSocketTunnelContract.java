package dev.tollgate.production;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.testsupport.GatewayContainer;
import dev.tollgate.testsupport.JwksServer;
import dev.tollgate.testsupport.Jwts;
import dev.tollgate.testsupport.RawUpstream;
import dev.tollgate.testsupport.ServerProcess;
import dev.tollgate.testsupport.WebSocketUpstream;
import dev.tollgate.testsupport.WsClient;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * WebSocket tunnels through the WAR on a servlet container that implements the protocol-upgrade API, in its own
 * JVM: a real WebSocket upstream (Jetty's server) and a real client (the JDK's). Echo both ways, a 10 MiB
 * message, close frames from either side, the idle timeout, authentication before the upgrade, an upstream
 * refusal passed through, and 200 tunnels at once, counted by the gauge. A subclass per container starts it.
 */
abstract class WebSocketTunnelContract {
    private static final String TOKEN = "ws-admin-token-0123456789-abcdef";
    private static final KeyPair KEY = Jwts.rsa();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static WebSocketUpstream upstream;
    private static RawUpstream speaksFirst;
    private static JwksServer jwks;
    private static GatewayContainer container;

    /** Starts the container with the gateway configured by {@code properties}. */
    interface Starter {
        GatewayContainer start(Path dir, String properties) throws Exception;
    }

    /** Starts the upstream, the JWKS endpoint and the container; called by each subclass's {@code @BeforeAll}. */
    static void start(Path dir, Starter starter) throws Exception {
        upstream = new WebSocketUpstream();
        speaksFirst = RawUpstream.webSocketSpeakingFirst("first words");
        jwks = new JwksServer(Jwts.jwks(Jwts.jwk("ws", KEY.getPublic(), "RS256")));
        container = starter.start(dir, String.join("\n",
                "gateway.shutdown.drain-timeout = 2s",
                "gateway.access-log.path = stdout",
                // 200 handshakes at once: each holds a place in the service's bulkhead until its 101
                "gateway.resilience.bulkhead.max-concurrent = 400",
                "gateway.admin.enabled = true",
                "gateway.admin.port = any",
                "gateway.admin.token = " + TOKEN,
                "gateway.auth.jwt.jwks-uri = " + jwks.uri(),
                "gateway.services.ws.instances = " + upstream.uri(),
                "gateway.services.first.instances = " + speaksFirst.uri(),
                "gateway.routes.first.path = /first/**",
                "gateway.routes.first.service = first",
                "gateway.routes.first.websocket = true",
                "gateway.routes.chat.path = /chat/**",
                "gateway.routes.chat.service = ws",
                "gateway.routes.chat.strip-prefix = /chat",
                "gateway.routes.chat.websocket = true",
                "gateway.routes.quiet.path = /quiet/**",
                "gateway.routes.quiet.service = ws",
                "gateway.routes.quiet.strip-prefix = /quiet",
                "gateway.routes.quiet.websocket = true",
                "gateway.routes.quiet.websocket-idle-timeout = 1s",
                "gateway.routes.secure.path = /secure/**",
                "gateway.routes.secure.service = ws",
                "gateway.routes.secure.strip-prefix = /secure",
                "gateway.routes.secure.websocket = true",
                "gateway.routes.secure.auth = jwt",
                "gateway.routes.plain.path = /plain/**",
                "gateway.routes.plain.service = ws",
                "gateway.routes.plain.strip-prefix = /plain"));
    }

    /** A tunnel still open at shutdown is closed once the drain time is over. */
    @AfterAll
    static void stop() throws Exception {
        try {
            if (container != null) {
                WsClient left = open("/chat/echo");
                assertThat(left.next()).isEqualTo("welcome");
                container.close();
                assertThat(left.closed().get(60, TimeUnit.SECONDS)).isNotNull();
                assertThat(container.log()).contains("shutdown: gateway closed");
            }
        } finally {
            // whatever failed above, nothing outlives the test class
            if (container != null) {
                container.close(); // a second stop of an ended process returns at once
                container = null;
            }
            if (upstream != null) {
                upstream.close();
            }
            if (speaksFirst != null) {
                speaksFirst.close();
            }
            if (jwks != null) {
                jwks.close();
            }
        }
    }

    private static URI ws(String path) {
        return URI.create("ws://127.0.0.1:" + container.port() + container.contextPath() + path);
    }

    private static WsClient open(String path, String... headers) throws Exception {
        try {
            return WsClient.open(ws(path), headers).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                throw new AssertionError("handshake refused: " + h.getResponse().statusCode() + " "
                        + h.getResponse().headers().map() + " " + h.getResponse().body(), e);
            }
            throw e;
        }
    }

    @Test
    void echoesTextBothWaysAndPassesTheForwardingHeaders() throws Exception {
        WsClient c = open("/chat/echo");
        assertThat(c.next()).as("sent by the upstream unasked").isEqualTo("welcome");
        c.socket().sendText("hello through the tunnel", true).get(10, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("hello through the tunnel");
        assertThat(upstream.lastHeaders().get("Via")).contains("tollgate");
        assertThat(upstream.lastHeaders().get("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(upstream.lastHeaders()).containsKey("X-Request-Id");
        c.socket().sendClose(1000, "done").get(10, TimeUnit.SECONDS);
        assertThat(c.closed().get(30, TimeUnit.SECONDS)).startsWith("1000");
    }

    /**
     * The handshake request ends when the protocols switch: its access-log line (status 101) is written and it
     * no longer counts as in flight, however long the tunnel stays open.
     */
    @Test
    void theUpgradeRequestEndsWhenTheProtocolsSwitch() throws Exception {
        String id = "ws-" + UUID.randomUUID();
        WsClient c = open("/chat/echo", "X-Request-Id", id);
        assertThat(c.next()).isEqualTo("welcome");
        Pattern line = Pattern.compile("(?m)^.*\"http\\.request\\.id\":\"" + id + "\".*$");
        assertThat(ServerProcess.poll(() -> line.matcher(container.log()).find(), Duration.ofSeconds(30)))
                .as("an access-log line for the handshake while the tunnel is open").isTrue();
        Matcher m = line.matcher(container.log());
        assertThat(m.find()).isTrue();
        assertThat(m.group()).contains("\"http.response.status_code\":101");
        c.socket().sendClose(1000, "").get(10, TimeUnit.SECONDS);
    }

    /**
     * A message that the upstream sends in the same write as its {@code 101} reaches the client, even when the
     * client connection does not yet take writes as the tunnel starts: no later readiness of the upstream
     * announces those bytes.
     */
    @Test
    void aMessageThatComesWithTheUpstreamsSwitchReachesTheClient() throws Exception {
        for (int i = 0; i < 5; i++) {
            WsClient c = open("/first/talk");
            assertThat(c.next()).isEqualTo("first words");
            c.socket().abort();
        }
    }

    /**
     * A handshake as browsers and curl send it, without {@code Content-Length} (Java's client adds
     * {@code Content-Length: 0} up to JDK 17 and not from JDK 25 on): the tunnel it opens carries messages both
     * ways and is not taken as closed by the client as it opens.
     */
    @Test
    void aHandshakeWithoutContentLengthCarriesMessagesBothWays() throws Exception {
        try (Socket s = new Socket("127.0.0.1", container.port())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            out.write(("GET " + container.contextPath() + "/chat/echo HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + container.port() + "\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 101")
                    .containsIgnoringCase("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
            assertThat(readTextFrame(in)).as("sent by the upstream unasked").isEqualTo("welcome");
            writeMaskedText(out, "from a browser");
            assertThat(readTextFrame(in)).isEqualTo("from a browser");
        }
    }

    private static String readHead(DataInputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) in.readUnsignedByte());
        }
        return head.toString();
    }

    /** One unmasked text frame of at most 125 bytes, as a server sends it. */
    private static String readTextFrame(DataInputStream in) throws IOException {
        int first = in.readUnsignedByte();
        int length = in.readUnsignedByte();
        assertThat(first).as("a final text frame").isEqualTo(0x81);
        assertThat(length).as("unmasked, short").isLessThan(126);
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new String(payload, StandardCharsets.UTF_8);
    }

    private static void writeMaskedText(OutputStream out, String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {0x12, 0x34, 0x56, 0x78};
        byte[] frame = new byte[2 + 4 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        out.write(frame);
        out.flush();
    }

    @Test
    void carriesATenMebibyteBinaryMessageIntact() throws Exception {
        byte[] big = new byte[10 << 20];
        new Random(6455).nextBytes(big);
        WsClient c = open("/chat/echo");
        assertThat(c.next()).isEqualTo("welcome");
        c.socket().sendBinary(ByteBuffer.wrap(big), true).get(60, TimeUnit.SECONDS);
        assertThat((byte[]) c.next()).isEqualTo(big);
        c.socket().sendClose(1000, "").get(10, TimeUnit.SECONDS);
    }

    @Test
    void aCloseFromTheClientReachesTheUpstream() throws Exception {
        WsClient c = open("/chat/echo");
        assertThat(c.next()).isEqualTo("welcome");
        c.socket().sendClose(4000, "client says bye").get(10, TimeUnit.SECONDS);
        assertThat(c.closed().get(30, TimeUnit.SECONDS)).startsWith("4000");
        assertThat(ServerProcess.poll(() -> upstream.closes().contains("4000 client says bye"), Duration.ofSeconds(30)))
                .as("closes seen upstream: " + upstream.closes()).isTrue();
    }

    @Test
    void aCloseFromTheUpstreamReachesTheClient() throws Exception {
        WsClient c = open("/chat/echo");
        assertThat(c.next()).isEqualTo("welcome");
        c.socket().sendText("close-me", true).get(10, TimeUnit.SECONDS);
        assertThat(c.closed().get(30, TimeUnit.SECONDS)).isEqualTo("4001 server says bye");
    }

    @Test
    void anIdleTunnelIsClosed() throws Exception {
        WsClient c = open("/quiet/echo");
        assertThat(c.next()).isEqualTo("welcome");
        assertThat(c.closed().get(30, TimeUnit.SECONDS)).as("closed by the gateway after 1s of silence")
                .isNotNull();
    }

    @Test
    void authenticationIsCheckedBeforeTheUpgrade() throws Exception {
        int before = upstream.upgrades();
        assertThatThrownBy(() -> WsClient.open(ws("/secure/echo")).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode())
                        .isEqualTo(401));
        assertThat(upstream.upgrades()).as("no upstream connection without a token").isEqualTo(before);

        Instant now = Instant.now();
        String token = Jwts.claims("ws", now, "ada").withExpiresAt(now.plus(Duration.ofMinutes(5)))
                .sign(Jwts.rs256(KEY));
        WsClient c = open("/secure/echo", "Authorization", "Bearer " + token);
        assertThat(c.next()).isEqualTo("welcome");
        assertThat(upstream.lastHeaders().get("X-User-Id")).isEqualTo("ada");
        c.socket().sendClose(1000, "").get(10, TimeUnit.SECONDS);
    }

    @Test
    void anUpgradeRefusedByTheUpstreamPassesThrough() throws Exception {
        assertThatThrownBy(() -> WsClient.open(ws("/chat/not-here")).get(30, TimeUnit.SECONDS))
                .cause().isInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> {
                    HttpResponse<?> r = ((WebSocketHandshakeException) e).getResponse();
                    assertThat(r.statusCode()).isEqualTo(403);
                    assertThat(r.headers().firstValue("X-Refused-By")).hasValue("upstream");
                });
    }

    @Test
    void aRouteWithoutWebSocketDoesNotUpgrade() throws Exception {
        assertThatThrownBy(() -> WsClient.open(ws("/plain/echo")).get(30, TimeUnit.SECONDS))
                .cause().isInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode())
                        .isNotEqualTo(101));
    }

    @Test
    void twoHundredTunnelsAtOnceAreCounted() throws Exception {
        List<CompletableFuture<WsClient>> opening = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            opening.add(WsClient.open(ws("/chat/echo")));
        }
        List<WsClient> clients = new ArrayList<>();
        for (CompletableFuture<WsClient> f : opening) {
            clients.add(f.get(60, TimeUnit.SECONDS));
        }
        for (int i = 0; i < clients.size(); i++) {
            assertThat(clients.get(i).next()).isEqualTo("welcome");
            clients.get(i).socket().sendText("n" + i, true);
        }
        for (int i = 0; i < clients.size(); i++) {
            assertThat(clients.get(i).next()).isEqualTo("n" + i);
        }
        assertThat(ServerProcess.poll(() -> openTunnels() >= 200, Duration.ofSeconds(30))).isTrue();
        for (WsClient c : clients) {
            c.socket().sendClose(1000, "");
        }
        for (WsClient c : clients) {
            c.closed().get(30, TimeUnit.SECONDS);
        }
        assertThat(ServerProcess.poll(() -> openTunnels() == 0, Duration.ofSeconds(30))).isTrue();
    }

    private static final Pattern GAUGE = Pattern.compile("(?m)^tollgate_websocket_tunnels(?:\\{[^}]*\\})? ([0-9.]+)$");

    private static double openTunnels() {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + container.port()
                    + container.contextPath() + "/_tollgate/metrics")).header("Authorization", "Bearer " + TOKEN).build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher m = GAUGE.matcher(r.body());
            return m.find() ? Double.parseDouble(m.group(1)) : -1;
        } catch (Exception e) {
            return -1;
        }
    }
}
