package dev.tollgate.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A broken upstream on a free loopback port: it accepts a connection, reads the request head, and closes the
 * connection without answering. Counts the requests it received, so a test can prove none was sent twice.
 */
public final class BlackHoleUpstream implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicInteger requests = new AtomicInteger();
    private final Thread acceptor;

    public BlackHoleUpstream() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "black-hole-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                int state = 0;
                int b;
                while (state < 4 && (b = in.read()) >= 0) {
                    state = b == (state % 2 == 0 ? '\r' : '\n') ? state + 1 : b == '\r' ? 1 : 0;
                }
                if (state == 4) {
                    requests.incrementAndGet();
                }
            } catch (IOException e) {
                // closed
            }
        }
    }

    public String uri() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    public int requests() {
        return requests.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
