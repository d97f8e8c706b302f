package dev.tollgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.Gateway;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.route.Route;
import dev.tollgate.testsupport.Bytes;
import dev.tollgate.testsupport.Configs;
import dev.tollgate.testsupport.UpstreamServer;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The proxy core without a servlet container: a real gateway runtime and a real upstream, with the client side
 * played by {@link Client}, which feeds the request body in pieces and takes the answer only when the test says
 * it is ready. Shows the body framing and both directions of flow control.
 */
class ProxyCoreIT {
    private static UpstreamServer upstream;
    private static Gateway gateway;
    private static Route route;

    @BeforeAll
    static void start() throws Exception {
        upstream = new UpstreamServer("core");
        GatewayConfig config = Configs.of("gateway.services.up.instances = " + upstream.uri(),
                "gateway.routes.api.path = /api/**", "gateway.routes.api.service = up",
                "gateway.routes.api.strip-prefix = /api");
        gateway = new Gateway(config, Clock.systemUTC());
        route = new Route(config.routes().get(0));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        upstream.close();
    }

    private static RequestHead head(String method, String path, String... headers) {
        List<Header> list = new ArrayList<>();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            list.add(new BasicHeader(headers[i], headers[i + 1]));
        }
        return new RequestHead(method, path, null, list, List.of(),
                new RequestHead.Peer("127.0.0.1", "http", "gw", 8080, "HTTP/2.0", false, "127.0.0.1"), route, "req-core",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    }

    /** HTTP/2 without a length whose stream ends at once: forwarded without a body and without framing. */
    @Test
    void anHttp2RequestWithoutDataIsForwardedWithoutABody() throws Exception {
        Client c = new Client(Downstream.Body.UNKNOWN, -1, new byte[0], 1);
        gateway.proxy().forward(head("GET", "/api/echo"), c, gateway.runtime().proxyRules());
        assertThat(c.done.get(10, TimeUnit.SECONDS)).isEqualTo(200);
        UpstreamServer.Seen seen = upstream.last();
        assertThat(seen.header("Transfer-Encoding")).isNull();
        assertThat(seen.header("Content-Length")).isNull();
    }

    /** HTTP/2 without a length that has data: streamed upstream with chunked framing, every byte in order. */
    @Test
    void anHttp2RequestWithDataIsStreamedChunked() throws Exception {
        byte[] body = Bytes.stream(300_000).readAllBytes();
        Client c = new Client(Downstream.Body.UNKNOWN, -1, body, 7_000);
        gateway.proxy().forward(head("POST", "/api/echo"), c, gateway.runtime().proxyRules());
        assertThat(c.done.get(10, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(c.text()).contains("\"bodyLength\":300000").contains(Bytes.sha256(300_000));
        assertThat(upstream.last().header("Transfer-Encoding")).isEqualTo("chunked");
    }

    /** A declared length is sent as that length, and the client is read only as the upstream takes it. */
    @Test
    void aBodyWithALengthKeepsItsLength() throws Exception {
        byte[] body = Bytes.stream(2_000_000).readAllBytes();
        Client c = new Client(Downstream.Body.LENGTH, body.length, body, 16_384);
        gateway.proxy().forward(head("PUT", "/api/echo"), c, gateway.runtime().proxyRules());
        assertThat(c.done.get(20, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(c.text()).contains("\"bodyLength\":2000000").contains(Bytes.sha256(2_000_000));
        assertThat(upstream.last().header("Content-Length")).isEqualTo("2000000");
        assertThat(c.pauses).as("the body was paused while the upstream caught up").isPositive();
    }

    /** A client that cannot take more gets nothing more until it says so, and then the whole answer. */
    @Test
    void theAnswerWaitsForAClientThatIsNotReady() throws Exception {
        Client c = new Client(Downstream.Body.NONE, -1, new byte[0], 1);
        c.ready = false;
        gateway.proxy().forward(head("GET", "/api/download?size=5000000"), c, gateway.runtime().proxyRules());
        assertThat(c.status.get(10, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(c.received()).isZero();
        c.becomeReady();
        assertThat(c.done.get(20, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(c.received()).isEqualTo(5_000_000);
        assertThat(Bytes.sha256(new java.io.ByteArrayInputStream(c.bytes()))).isEqualTo(Bytes.sha256(5_000_000));
    }

    /**
     * The client side of one request: the body is handed over in pieces of {@code piece} bytes, pausing when the
     * sink says so; the response is recorded while {@link #ready} holds.
     */
    private static final class Client implements Downstream {
        final CompletableFuture<Integer> status = new CompletableFuture<>();
        final CompletableFuture<Integer> done = new CompletableFuture<>();
        private final Body body;
        private final long length;
        private final byte[] data;
        private final int piece;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private volatile Events events;
        private BodySink sink;
        private int sent;
        private boolean paused;
        private volatile boolean committed;
        volatile boolean ready = true;
        int pauses;

        Client(Body body, long length, byte[] data, int piece) {
            this.body = body;
            this.length = length;
            this.data = data;
            this.piece = piece;
        }

        @Override
        public Body body() {
            return body;
        }

        @Override
        public long contentLength() {
            return length;
        }

        @Override
        public void listen(Events e) {
            events = e;
        }

        @Override
        public void readBody(BodySink to) {
            synchronized (this) {
                sink = to;
            }
            pump();
        }

        @Override
        public void resumeBody() {
            pump();
        }

        private void pump() {
            synchronized (this) {
                paused = false;
                while (!paused && sent < data.length) {
                    int n = Math.min(piece, data.length - sent);
                    boolean more = sink.data(data, sent, n);
                    sent += n;
                    paused = !more;
                    pauses += paused ? 1 : 0;
                }
                if (!paused && sent == data.length) {
                    sent++; // once
                    sink.end();
                }
            }
        }

        @Override
        public void respond(int code, List<Header> headers, long contentLength) {
            committed = true;
            status.complete(code);
        }

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void write(byte[] chunk) {
            synchronized (out) {
                out.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void end() {
            done.complete(status.getNow(-1));
        }

        @Override
        public void problem(int code, String title, String detail, boolean close, String... headers) {
            status.complete(code);
            done.complete(code);
        }

        @Override
        public void abort(Throwable cause) {
            done.completeExceptionally(cause);
        }

        @Override
        public boolean isCommitted() {
            return committed;
        }

        @Override
        public boolean bodyUnread() {
            return sent <= data.length && data.length > 0;
        }

        @Override
        public void record(String upstreamName, String breaker, Boolean cacheHit) {
            // the access log's business
        }

        void becomeReady() {
            ready = true;
            events.writable();
        }

        long received() {
            synchronized (out) {
                return out.size();
            }
        }

        byte[] bytes() {
            synchronized (out) {
                return out.toByteArray();
            }
        }

        String text() {
            return new String(bytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
