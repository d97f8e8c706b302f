package dev.tollgate.testsupport;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A JWKS endpoint (JDK HttpServer) on a loopback port, serving {@code /jwks.json} with a document the test can
 * change (key rotation), and that can be stopped and started again on the same port (an outage). Counts the
 * requests it answered. Thread-safe.
 */
public final class JwksServer implements AutoCloseable {
    private final AtomicReference<String> document;
    private final AtomicInteger requests = new AtomicInteger();
    private final int port;
    private HttpServer server;

    public JwksServer(String document) throws IOException {
        this.document = new AtomicReference<>(document);
        this.server = create(0);
        this.port = server.getAddress().getPort();
        server.start();
    }

    private HttpServer create(int p) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 16);
        s.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = document.get().getBytes(StandardCharsets.UTF_8);
            int status = exchange.getRequestURI().getPath().equals("/jwks.json") ? 200 : 404;
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        return s;
    }

    public String uri() {
        return "http://127.0.0.1:" + port + "/jwks.json";
    }

    public void serve(String doc) {
        document.set(doc);
    }

    public int requests() {
        return requests.get();
    }

    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    public synchronized void start() throws IOException {
        if (server == null) {
            server = create(port);
            server.start();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
