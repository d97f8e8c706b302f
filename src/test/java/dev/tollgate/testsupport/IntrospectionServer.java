package dev.tollgate.testsupport;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OAuth 2.0 token introspection endpoint (RFC 7662) on a loopback port (JDK HttpServer), at
 * {@code /introspect}: it takes only {@code POST} with an {@code application/x-www-form-urlencoded} body holding
 * {@code token} (section 2.1) from a client authenticated by HTTP Basic with the configured credentials (401
 * otherwise), and answers {@code 200} with the JSON object the test set for that token, or
 * {@code {"active":false}} for any other token (section 2.2). It can be told to fail with a status (an outage
 * that answers) and be stopped and started again on the same port (one that does not). Counts the calls per token
 * and the refused ones. Thread-safe.
 */
public final class IntrospectionServer extends RestartableHttpServer {
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger all = new AtomicInteger();
    private final String authorization;
    private volatile int failWith;

    public IntrospectionServer(String clientId, String clientSecret) throws IOException {
        super("/introspect", "/introspect");
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
        open();
    }

    @Override
    protected void handle(HttpExchange exchange) throws IOException {
        all.incrementAndGet();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (!"POST".equals(exchange.getRequestMethod()) || type == null
                || !type.startsWith("application/x-www-form-urlencoded")
                || !authorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            refused.incrementAndGet();
            send(exchange, 401, "{\"error\":\"invalid_client\"}");
            return;
        }
        String token = form(body).get("token");
        calls.computeIfAbsent(String.valueOf(token), t -> new AtomicInteger()).incrementAndGet();
        if (failWith != 0) {
            send(exchange, failWith, "{\"error\":\"temporarily_unavailable\"}");
            return;
        }
        send(exchange, 200, token == null ? "{\"active\":false}" : answers.getOrDefault(token, "{\"active\":false}"));
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The answer for this token from now on (a JSON object, e.g. {@code {"active":true,"sub":"alice"}}). */
    public void answer(String token, String json) {
        answers.put(token, json);
    }

    /** How many authenticated calls asked about this token. */
    public int calls(String token) {
        AtomicInteger n = calls.get(token);
        return n == null ? 0 : n.get();
    }

    /** Every request that arrived, authenticated or not. */
    public int requests() {
        return all.get();
    }

    /** Calls refused for missing or wrong client credentials or a wrong method or body. */
    public int refused() {
        return refused.get();
    }

    /** Answer every authenticated call with this status from now on; 0 answers normally again. */
    public void failWith(int status) {
        failWith = status;
    }
}
