package dev.tollgate.testsupport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.annotations.OnWebSocketClose;
import org.eclipse.jetty.websocket.api.annotations.OnWebSocketMessage;
import org.eclipse.jetty.websocket.api.annotations.OnWebSocketOpen;
import org.eclipse.jetty.websocket.api.annotations.WebSocket;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A real WebSocket upstream: Jetty's WebSocket server on a free loopback port. {@code /echo} greets each client
 * with {@code welcome}, echoes every text and binary message, and on the text {@code close-me} closes with
 * {@code 4001 server says bye}; it records the close codes it receives and the header fields of each upgrade
 * request. Any other path (an upgrade included) is refused with {@code 403 no websocket here}. Thread-safe.
 */
public final class WebSocketUpstream implements AutoCloseable {
    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    private final Queue<String> closes = new ConcurrentLinkedQueue<>();
    private final AtomicInteger upgrades = new AtomicInteger();
    private volatile Map<String, String> lastHeaders = Map.of();

    public WebSocketUpstream() throws Exception {
        this(0);
    }

    /** On 127.0.0.1 at {@code port} (0: a free one). */
    public WebSocketUpstream(int port) throws Exception {
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        ContextHandler context = new ContextHandler("/");
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, context, container -> {
            container.setMaxBinaryMessageSize(16 << 20);
            container.setMaxTextMessageSize(16 << 20);
            container.setIdleTimeout(Duration.ofMinutes(5));
            container.addMapping("/echo", (request, response, callback) -> {
                Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                for (HttpField f : request.getHeaders()) {
                    headers.merge(f.getName(), f.getValue(), (a, b) -> a + ", " + b);
                }
                lastHeaders = headers;
                upgrades.incrementAndGet();
                return new Echo();
            });
        });
        ws.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(403);
                response.getHeaders().put("Content-Type", "text/plain");
                response.getHeaders().put("X-Refused-By", "upstream");
                response.write(true, ByteBuffer.wrap("no websocket here".getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        context.setHandler(ws);
        server.setHandler(context);
        server.start();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String uri() {
        return "http://127.0.0.1:" + connector.getLocalPort();
    }

    /** Upgrades accepted on {@code /echo} so far. */
    public int upgrades() {
        return upgrades.get();
    }

    /** The header fields of the last accepted upgrade request (any case). */
    public Map<String, String> lastHeaders() {
        return lastHeaders;
    }

    /** The close frames received, as {@code "<code> <reason>"}, oldest first. */
    public Queue<String> closes() {
        return closes;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** The endpoint of one connection. */
    @WebSocket
    public final class Echo {
        @OnWebSocketOpen
        public void open(Session session) {
            session.sendText("welcome", org.eclipse.jetty.websocket.api.Callback.NOOP);
        }

        @OnWebSocketMessage
        public void text(Session session, String message) {
            if (message.equals("close-me")) {
                session.close(4001, "server says bye", org.eclipse.jetty.websocket.api.Callback.NOOP);
            } else {
                session.sendText(message, org.eclipse.jetty.websocket.api.Callback.NOOP);
            }
        }

        @OnWebSocketMessage
        public void binary(Session session, ByteBuffer payload, org.eclipse.jetty.websocket.api.Callback callback) {
            session.sendBinary(payload, callback);
        }

        @OnWebSocketClose
        public void closed(int status, String reason) {
            closes.add(status + " " + reason);
        }
    }
}
