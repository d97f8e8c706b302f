package dev.tollgate.web;

import dev.tollgate.http.HeaderNames;
import dev.tollgate.proxy.Downstream.Body;
import dev.tollgate.proxy.Downstream.BodySink;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * The client's request body over Servlet async I/O: read with a {@link ReadListener} only while the proxy core
 * takes more ({@link BodySink#data} answers false to pause, {@link #resume()} goes on), so that no thread waits
 * for the client. Reads are serialised by one lock, since the core resumes from I/O reactor threads while the
 * container calls back on its own. One per request.
 */
final class ServletRequestBody implements ReadListener {
    private static final int READ_BUFFER = 16 * 1024;

    private final HttpServletRequest req;
    private final Body body;
    private final Consumer<Throwable> clientGone;
    private final Object lock = new Object();
    private BodySink sink;
    private ServletInputStream in;
    private byte[] buffer;
    private volatile boolean done;

    /** @param clientGone told of a read failure the container reports once the body was read */
    ServletRequestBody(HttpServletRequest req, Consumer<Throwable> clientGone) {
        this.req = req;
        this.clientGone = clientGone;
        this.body = kind(req);
        this.done = body == Body.NONE;
    }

    private static Body kind(HttpServletRequest req) {
        long length = req.getContentLengthLong();
        if (length > 0) {
            return Body.LENGTH;
        }
        if (length == 0) {
            return Body.NONE;
        }
        if (req.getHeader(HeaderNames.TRANSFER_ENCODING) != null) {
            return Body.CHUNKED;
        }
        return req.getProtocol().startsWith("HTTP/1.") ? Body.NONE : Body.UNKNOWN;
    }

    Body kind() {
        return body;
    }

    /** Starts reading into {@code to}. */
    void read(BodySink to) {
        synchronized (lock) {
            sink = to;
            buffer = new byte[READ_BUFFER];
            try {
                in = req.getInputStream();
                in.setReadListener(this);
            } catch (IOException | RuntimeException e) {
                done = true;
                to.failed(e);
            }
        }
    }

    /** Goes on reading after the sink paused. */
    void resume() {
        pump();
    }

    /** Whether some of the body was never read: the connection cannot carry another request. */
    boolean unread() {
        return !done;
    }

    @Override
    public void onDataAvailable() {
        pump();
    }

    private void pump() {
        synchronized (lock) {
            if (done || in == null) {
                return;
            }
            try {
                while (in.isReady()) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        done = true;
                        sink.end();
                        return;
                    }
                    if (n > 0 && !sink.data(buffer, 0, n)) {
                        return;
                    }
                }
            } catch (IOException | RuntimeException e) {
                done = true;
                sink.failed(e);
            }
        }
    }

    @Override
    public void onAllDataRead() {
        synchronized (lock) {
            if (!done) {
                done = true;
                sink.end();
            }
        }
    }

    @Override
    public void onError(Throwable t) {
        boolean reading;
        synchronized (lock) {
            reading = !done && sink != null;
            done = true;
        }
        if (reading) {
            sink.failed(t);
        } else {
            clientGone.accept(t);
        }
    }
}
