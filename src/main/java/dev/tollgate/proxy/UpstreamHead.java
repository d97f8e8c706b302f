package dev.tollgate.proxy;

import dev.tollgate.http.HeaderNames;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.message.BasicHttpResponse;

/**
 * An HTTP/1.1 response head read from a raw upstream connection (the answer to an upgrade request), with the
 * bytes that arrived after it; and, for an answer that is not {@code 101}, its body. Bounded: a head over 64 KiB
 * or a body over 1 MiB is an invalid response. Not thread-safe; used on one thread.
 *
 * @param response the status and header fields
 * @param rest bytes read past the head: the start of the tunnel's data, or of the body
 */
record UpstreamHead(HttpResponse response, byte[] rest) {
    private static final int MAX_HEAD = 64 * 1024;
    private static final int MAX_BODY = 1024 * 1024;

    static UpstreamHead read(InputStream in) throws IOException {
        byte[] buf = new byte[4096];
        int len = 0;
        int end;
        while ((end = headEnd(buf, len)) < 0) {
            if (len == buf.length) {
                if (len >= MAX_HEAD) {
                    throw new IOException("response head over " + MAX_HEAD + " bytes");
                }
                buf = Arrays.copyOf(buf, len * 2);
            }
            int n = in.read(buf, len, buf.length - len);
            if (n < 0) {
                throw new EOFException("connection closed before a complete response head");
            }
            len += n;
        }
        String[] lines = new String(buf, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] status = lines[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/1.") || !status[1].matches("[1-5][0-9][0-9]")) {
            throw new IOException("not an HTTP/1.1 status line");
        }
        BasicHttpResponse r = new BasicHttpResponse(Integer.parseInt(status[1]), status.length > 2 ? status[2] : "");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new IOException("a malformed header line");
            }
            r.addHeader(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
        }
        return new UpstreamHead(r, Arrays.copyOfRange(buf, end + 4, len));
    }

    /** The body that follows a head that is not {@code 101}: by Content-Length, chunked, or up to the close. */
    byte[] body(InputStream in) throws IOException {
        int code = response.getCode();
        if (code < 200 || code == 204 || code == 304) {
            return new byte[0];
        }
        InputStream all = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(rest), in);
        Header coding = response.getFirstHeader(HeaderNames.TRANSFER_ENCODING);
        if (coding != null) {
            if (!coding.getValue().toLowerCase(Locale.ROOT).contains("chunked")) {
                throw new IOException("an unknown transfer coding");
            }
            return chunked(all);
        }
        if (response.getFirstHeader(HeaderNames.CONTENT_LENGTH) != null) {
            long length;
            try {
                length = Long.parseLong(response.getFirstHeader(HeaderNames.CONTENT_LENGTH).getValue().trim());
            } catch (NumberFormatException e) {
                throw new IOException("a malformed Content-Length");
            }
            if (length < 0 || length > MAX_BODY) {
                throw new IOException("a refusal body over " + MAX_BODY + " bytes");
            }
            byte[] body = all.readNBytes((int) length);
            if (body.length < length) {
                throw new EOFException("the refusal body was cut short");
            }
            return body;
        }
        byte[] body = all.readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            throw new IOException("a refusal body over " + MAX_BODY + " bytes");
        }
        return body;
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            int semi = size.indexOf(';');
            int n;
            try {
                n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("a malformed chunk size");
            }
            if (n == 0) {
                while (!line(in).isEmpty()) {
                    // trailer fields are dropped
                }
                return out.toByteArray();
            }
            if (n < 0 || out.size() + n > MAX_BODY) {
                throw new IOException("a refusal body over " + MAX_BODY + " bytes");
            }
            byte[] chunk = in.readNBytes(n);
            if (chunk.length < n) {
                throw new EOFException("the refusal body was cut short");
            }
            out.write(chunk);
            line(in);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new EOFException("the refusal body was cut short");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
            if (sb.length() > 1024) {
                throw new IOException("a chunk line over 1024 bytes");
            }
        }
        return sb.toString();
    }

    private static int headEnd(byte[] b, int len) {
        for (int i = 0; i + 3 < len; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
