package dev.tollgate.proxy;

import java.io.IOException;
import java.io.InputStream;

/**
 * The client's request body on its way upstream: counts bytes, enforces the route's limit, and marks read
 * failures as the client's, so that they are not blamed on the upstream. Not thread-safe (one request thread).
 */
public final class ClientBody extends InputStream {
    private final InputStream in;
    private final long limit;
    private long count;

    public ClientBody(InputStream in, long limit) {
        this.in = in;
        this.limit = limit;
    }

    /** The body was larger than the route allows. */
    public static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(long limit) {
            super("request body larger than " + limit + " bytes", null);
        }
    }

    /** Reading the client's body failed: the client went away, timed out or sent a malformed body. */
    public static final class ReadException extends IOException {
        private static final long serialVersionUID = 1L;

        ReadException(IOException cause) {
            super("reading the request body failed", cause);
        }
    }

    public long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = in.read(b, off, len);
        } catch (IOException e) {
            throw new ReadException(e);
        }
        if (n > 0) {
            count += n;
            if (count > limit) {
                throw new TooLargeException(limit);
            }
        }
        return n;
    }

    @Override
    public void close() {
        // The servlet container owns the underlying stream.
    }
}
