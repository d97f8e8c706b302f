package dev.tollgate.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends bytes exactly as written over a plain socket and reads what comes back, for malformed and hostile
 * input that no HTTP client library would send.
 */
public final class RawHttp implements AutoCloseable {
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.[01] (\\d{3})");
    private final Socket socket;

    public RawHttp(URL base) throws IOException {
        socket = new Socket(base.getHost(), base.getPort());
        socket.setSoTimeout(10_000);
    }

    public RawHttp send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return this;
    }

    public RawHttp send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /** Reads until the server closes the connection (or the read times out): everything it sent. */
    public String readAll() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            out.write("\n<<read timed out: connection still open>>".getBytes(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            out.write(("\n<<connection reset: " + e.getMessage() + ">>").getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads whatever arrives within the given time, without waiting for the connection to close. */
    public String readFor(int millis) throws IOException {
        socket.setSoTimeout(millis);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
            out.write("\n<<closed>>".getBytes(StandardCharsets.ISO_8859_1));
        } catch (SocketTimeoutException e) {
            // what arrived so far
        } catch (IOException e) {
            out.write("\n<<closed>>".getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Reads until what arrived ends with {@code marker} (e.g. a response body the test knows), the server closes
     * the connection, or the socket's read timeout passes: for a response on a connection that stays open.
     */
    public String readUntil(String marker) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while (!out.toString(StandardCharsets.ISO_8859_1).endsWith(marker) && (n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            out.write("\n<<read timed out>>".getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * One {@code GET} on its own connection ({@code Host: gw}, {@code Connection: close}): the whole raw response.
     *
     * @param headers extra header lines, e.g. {@code "X-Tenant: t1"}
     */
    public static String get(URL base, String path, String... headers) throws IOException {
        StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n");
        for (String h : headers) {
            req.append(h).append("\r\n");
        }
        try (RawHttp c = new RawHttp(base)) {
            return c.send(req.append("\r\n").toString()).readAll();
        }
    }

    /** The status codes of all responses in a raw stream, in order. */
    public static List<Integer> statuses(String raw) {
        List<Integer> out = new ArrayList<>();
        Matcher m = STATUS.matcher(raw);
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    public static int status(String raw) {
        List<Integer> s = statuses(raw);
        if (s.isEmpty()) {
            throw new AssertionError("no HTTP response in: " + raw);
        }
        return s.get(0);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
