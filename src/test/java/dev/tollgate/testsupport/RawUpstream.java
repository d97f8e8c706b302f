package dev.tollgate.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A broken upstream on a free loopback port, for what a well-behaved server never sends: it accepts a connection,
 * reads the request head, writes a canned answer byte for byte (or nothing, as a black hole) and closes the
 * connection. Counts the requests it received, so a test can prove none was sent twice. As a WebSocket
 * upstream it answers the opening handshake and its first message in one write, and keeps the connection open.
 */
public final class RawUpstream implements AutoCloseable {
    private final ServerSocket server;
    private final Function<String, byte[]> answer;
    private final boolean holdOpen;
    private final AtomicInteger requests = new AtomicInteger();

    private RawUpstream(Function<String, byte[]> answer, boolean holdOpen) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.answer = answer;
        this.holdOpen = holdOpen;
        Thread acceptor = new Thread(this::accept, "raw-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Reads each request head and closes the connection without answering. */
    public static RawUpstream blackHole() throws IOException {
        return new RawUpstream(head -> new byte[0], false);
    }

    /** Answers each request with exactly these bytes (CRLFs included), then closes the connection. */
    public static RawUpstream answering(String raw) throws IOException {
        byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
        return new RawUpstream(head -> bytes, false);
    }

    /**
     * Accepts each WebSocket opening handshake and sends the text message {@code greeting} in the same write as
     * its {@code 101}, as a server that speaks first may; then keeps the connection open, reading what comes,
     * until the peer closes it.
     */
    public static RawUpstream webSocketSpeakingFirst(String greeting) throws IOException {
        byte[] text = greeting.getBytes(StandardCharsets.UTF_8);
        if (text.length > 125) {
            throw new IllegalArgumentException("one short frame: at most 125 bytes");
        }
        return new RawUpstream(head -> {
            String key = head.lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("");
            byte[] switching = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            byte[] out = new byte[switching.length + 2 + text.length];
            System.arraycopy(switching, 0, out, 0, switching.length);
            out[switching.length] = (byte) 0x81; // FIN, text
            out[switching.length + 1] = (byte) text.length; // unmasked: a server's frame
            System.arraycopy(text, 0, out, switching.length + 2, text.length);
            return out;
        }, true);
    }

    private static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(
                    (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (holdOpen) {
                Thread t = new Thread(() -> serve(s), "raw-upstream-connection");
                t.setDaemon(true);
                t.start();
            } else {
                serve(s);
            }
        }
    }

    private void serve(Socket socket) {
        try (Socket s = socket) {
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            int state = 0;
            int b;
            while (state < 4 && (b = in.read()) >= 0) {
                head.append((char) b);
                state = b == (state % 2 == 0 ? '\r' : '\n') ? state + 1 : b == '\r' ? 1 : 0;
            }
            if (state == 4) {
                requests.incrementAndGet();
                s.getOutputStream().write(answer.apply(head.toString()));
                s.getOutputStream().flush();
                if (holdOpen) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
            }
        } catch (IOException e) {
            // closed
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
