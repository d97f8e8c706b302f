package dev.tollgate.resilience;

import java.util.Arrays;

/**
 * A copy of a response body taken while it streams to the client, never larger than its limit: once the body
 * grows past the limit the copy is dropped and nothing more is kept, so caching never buffers an unbounded
 * body. Not thread-safe (one request thread).
 */
public final class ResponseCapture {
    private final long limit;
    private byte[] buf;
    private int size;
    private boolean overflowed;

    ResponseCapture(long limit, long expectedLength) {
        this.limit = limit;
        this.buf = new byte[(int) Math.min(limit, expectedLength >= 0 ? expectedLength : 8192)];
    }

    public void write(byte[] b, int off, int len) {
        if (overflowed) {
            return;
        }
        if (size + (long) len > limit) {
            overflowed = true;
            buf = null;
            return;
        }
        if (size + len > buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.min(limit, Math.max((long) size + len, buf.length * 2L)));
        }
        System.arraycopy(b, off, buf, size, len);
        size += len;
    }

    public boolean overflowed() {
        return overflowed;
    }

    byte[] bytes() {
        return size == buf.length ? buf : Arrays.copyOf(buf, size);
    }
}
