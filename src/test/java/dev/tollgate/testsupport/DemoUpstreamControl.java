package dev.tollgate.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The demo's switch for its sample upstream, on 127.0.0.1 only: {@code POST /upstream/stop} closes the upstream
 * (connections to its port are then refused, as when a service goes down) and {@code POST /upstream/start} opens
 * it again on the same port. Lets the README show the circuit breaker opening and closing. Thread-safe.
 */
final class DemoUpstreamControl implements AutoCloseable {
    private final HttpServer server;
    private final String name;
    private final int upstreamPort;
    private UpstreamServer upstream;

    DemoUpstreamControl(UpstreamServer upstream, String name, int upstreamPort, int port) throws IOException {
        this.upstream = upstream;
        this.name = name;
        this.upstreamPort = upstreamPort;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/upstream/stop", ex -> answer(ex, this::stop));
        server.createContext("/upstream/start", ex -> answer(ex, this::start));
        server.start();
    }

    private synchronized String stop() throws Exception {
        if (upstream == null) {
            return "the upstream is already stopped\n";
        }
        upstream.close();
        upstream = null;
        return "upstream stopped: port " + upstreamPort + " refuses connections\n";
    }

    private synchronized String start() throws Exception {
        if (upstream != null) {
            return "the upstream is already running\n";
        }
        upstream = new UpstreamServer(name, upstreamPort);
        return "upstream started again on port " + upstreamPort + "\n";
    }

    private interface Action {
        String run() throws Exception;
    }

    private static void answer(HttpExchange ex, Action action) throws IOException {
        if (!"POST".equals(ex.getRequestMethod())) {
            ex.sendResponseHeaders(405, -1);
            ex.close();
            return;
        }
        String text;
        int status = 200;
        try {
            text = action.run();
        } catch (Exception e) {
            text = "failed: " + e.getMessage() + "\n";
            status = 500;
        }
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    @Override
    public synchronized void close() throws Exception {
        server.stop(0);
        if (upstream != null) {
            upstream.close();
        }
    }
}
