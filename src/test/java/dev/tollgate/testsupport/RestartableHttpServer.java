package dev.tollgate.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A JDK HTTP server on a loopback port that a test can stop (the port then refuses connections: an outage) and
 * start again on the same port. A subclass answers the requests under its context path, and calls
 * {@link #open()} at the end of its constructor. Thread-safe.
 */
public abstract class RestartableHttpServer implements AutoCloseable {
    private final String contextPath;
    private final String uriPath;
    private int port;
    private HttpServer server;

    /**
     * @param contextPath the requests {@link #handle} answers (a prefix)
     * @param uriPath what {@link #uri()} names
     */
    protected RestartableHttpServer(String contextPath, String uriPath) {
        this.contextPath = contextPath;
        this.uriPath = uriPath;
    }

    /** Binds a free port and starts; once, at the end of the subclass's constructor. */
    protected final synchronized void open() throws IOException {
        server = create(0);
        port = server.getAddress().getPort();
        server.start();
    }

    protected abstract void handle(HttpExchange exchange) throws IOException;

    private HttpServer create(int p) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 64);
        s.createContext(contextPath, this::handle);
        return s;
    }

    /** {@code http://127.0.0.1:<port>} and the URI path. */
    public synchronized String uri() {
        return "http://127.0.0.1:" + port + uriPath;
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
