package dev.tollgate.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A broken upstream on a free loopback port, for what a well-behaved server never sends: it accepts a connection,
 * reads the request head, writes a canned answer byte for byte (or nothing, as a black hole) and closes the
 * connection. Counts the requests it received, so a test can prove none was sent twice.
 */
public final class RawUpstream implements AutoCloseable {
    private final ServerSocket server;
    private final byte[] answer;
    private final AtomicInteger requests = new AtomicInteger();

    private RawUpstream(byte[] answer) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.answer = answer;
        Thread acceptor = new Thread(this::accept, "raw-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Reads each request head and closes the connection without answering. */
    public static RawUpstream blackHole() throws IOException {
        return new RawUpstream(new byte[0]);
    }

    /** Answers each request with exactly these bytes (CRLFs included), then closes the connection. */
    public static RawUpstream answering(String raw) throws IOException {
        return new RawUpstream(raw.getBytes(StandardCharsets.ISO_8859_1));
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
                    s.getOutputStream().write(answer);
                    s.getOutputStream().flush();
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
