package dev.tollgate.testsupport;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A JWKS endpoint (JDK HttpServer) on a loopback port, serving {@code /jwks.json} with a document the test can
 * change (key rotation), and that can be stopped and started again on the same port (an outage). Counts the
 * requests it answered. Thread-safe.
 */
public final class JwksServer extends RestartableHttpServer {
    private final AtomicReference<String> document;
    private final AtomicInteger requests = new AtomicInteger();

    public JwksServer(String document) throws IOException {
        super("/", "/jwks.json");
        this.document = new AtomicReference<>(document);
        open();
    }

    @Override
    protected void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        byte[] body = document.get().getBytes(StandardCharsets.UTF_8);
        int status = exchange.getRequestURI().getPath().equals("/jwks.json") ? 200 : 404;
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    public void serve(String doc) {
        document.set(doc);
    }

    public int requests() {
        return requests.get();
    }
}
