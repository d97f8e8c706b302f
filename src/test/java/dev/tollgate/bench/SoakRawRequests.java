package dev.tollgate.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The broken requests of the fault soak, each on its own raw socket, sent beside the normal ones: a POST that
 * promises a body of {@link #BODY} bytes and sends a part of it, then either closes the connection (aborted:
 * half of them with a reset, the others with a normal close; no answer is awaited) or half-closes it and waits
 * for the gateway's answer (half-sent: its status, a close without an answer, or nothing within the timeout).
 * Blocking; each call runs on one of the client's raw-request threads. Stateless apart from its settings.
 */
final class SoakRawRequests {
    static final int BODY = 4096;
    static final String NO_ANSWER = "no answer within ";
    private static final int SENT = 1500;

    private final String token;
    private final int timeoutMs;

    SoakRawRequests(String token, int timeoutMs) {
        this.token = token;
        this.timeoutMs = timeoutMs;
    }

    private byte[] head(URI gateway, String user, String id) {
        return ("POST /soak/" + user + "/" + id + " HTTP/1.1\r\nHost: " + gateway.getHost() + ":" + gateway.getPort()
                + "\r\nAuthorization: Bearer " + token + "\r\nX-Request-Id: " + id
                + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + BODY + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private Socket open(URI gateway) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(gateway.getHost(), gateway.getPort()), timeoutMs);
        s.setSoTimeout(timeoutMs);
        return s;
    }

    private void sendPart(Socket s, URI gateway, String user, String id) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(head(gateway, user, id));
        byte[] part = new byte[SENT];
        Arrays.fill(part, (byte) 'a');
        out.write(part);
        out.flush();
    }

    /** Sends part of the body and closes: with a reset when {@code reset}, else with a FIN. */
    void aborted(SoakPhase phase, URI gateway, String user, String id, boolean reset) {
        phase.aborted.increment();
        try (Socket s = open(gateway)) {
            sendPart(s, gateway, user, id);
            if (reset) {
                s.setSoLinger(true, 0);
            }
        } catch (IOException e) {
            SoakPhase.add(phase.halfSent, "aborted: could not send (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Sends part of the body, half-closes, and records what the gateway answered. */
    void halfSent(SoakPhase phase, URI gateway, String user, String id) {
        String outcome;
        try (Socket s = open(gateway)) {
            sendPart(s, gateway, user, id);
            s.shutdownOutput();
            outcome = statusLine(s.getInputStream());
        } catch (SocketTimeoutException e) {
            outcome = NO_ANSWER + timeoutMs + " ms";
        } catch (IOException e) {
            outcome = "connection failed (" + e.getClass().getSimpleName() + ")";
        }
        SoakPhase.add(phase.halfSent, outcome);
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n' && line.length() < 200) {
            line.append((char) c);
        }
        if (line.length() == 0) {
            return "closed without an answer";
        }
        String[] parts = line.toString().trim().split(" ");
        return parts.length >= 2 && parts[0].startsWith("HTTP/") ? "HTTP " + parts[1] : "not HTTP: " + line;
    }
}
