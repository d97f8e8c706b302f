package dev.tollgate.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A slow client on a raw socket: it sends the start of a request, then one piece at a time, paced by a read
 * that waits for the server (no sleep), until the server closes the connection or the time is up. For
 * deadline tests (slowloris); the assertion is only whether the server closed within the time given.
 */
public final class Trickle {
    /**
     * What the server did.
     *
     * @param closed whether it closed (or reset) the connection within the time given
     * @param answer what it sent before, e.g. a 408
     * @param piecesSent how many pieces went out after the start
     */
    public record Outcome(boolean closed, String answer, int piecesSent) {
    }

    private Trickle() {
    }

    /** Sends {@code start}, then {@code piece} every {@code every}, for at most {@code giveUp}. */
    public static Outcome send(String host, int port, String start, String piece, Duration every, Duration giveUp)
            throws IOException {
        try (Socket socket = new Socket(host, port)) {
            return send(socket, start, piece, every, giveUp);
        }
    }

    /** As {@link #send(String, int, String, String, Duration, Duration)}, over a socket already connected. */
    public static Outcome send(Socket socket, String start, String piece, Duration every, Duration giveUp)
            throws IOException {
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        out.write(start.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        socket.setSoTimeout((int) every.toMillis());
        long end = System.nanoTime() + giveUp.toNanos();
        byte[] buf = new byte[4096];
        int sent = 0;
        while (System.nanoTime() < end) {
            try {
                int n = in.read(buf);
                if (n < 0) {
                    return new Outcome(true, text(answer), sent);
                }
                answer.write(buf, 0, n);
                continue; // the server is answering: read on until it closes
            } catch (SocketTimeoutException e) {
                // nothing within one interval: time for the next piece
            } catch (IOException e) {
                return new Outcome(true, text(answer), sent);
            }
            try {
                out.write(piece.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                sent++;
            } catch (IOException e) {
                return new Outcome(true, text(answer), sent);
            }
        }
        return new Outcome(false, text(answer), sent);
    }

    private static String text(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }
}
