package dev.tollgate.web;

import dev.tollgate.http.HeaderNames;
import dev.tollgate.proxy.Downstream;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.apache.hc.core5.http.Header;

/**
 * The client side of one proxied request over Servlet async I/O: the request body is read with a
 * {@link ReadListener} only while the core asks for more, and the response is written with a {@link WriteListener},
 * so that no thread waits for the client either. Reads are serialised by one lock and writes by another, since
 * the core calls in from I/O reactor threads while the container calls back on its own. One per request.
 */
final class ServletDownstream implements Downstream, ReadListener, WriteListener, AsyncListener {
    private static final int READ_BUFFER = 16 * 1024;

    private final HttpServletRequest req;
    private final HttpServletResponse res;
    private final AsyncContext async;
    private final Body body;
    private final Object readLock = new Object();
    private final Object writeLock = new Object();
    private volatile Events events;
    private BodySink sink;
    private ServletInputStream in;
    private byte[] buffer;
    private volatile boolean readDone;
    private ServletOutputStream out;
    private boolean chunked;
    private boolean endPending;
    private boolean ended;
    private volatile boolean gone;

    ServletDownstream(HttpServletRequest req, HttpServletResponse res, AsyncContext async) {
        this.req = req;
        this.res = res;
        this.async = async;
        this.body = bodyOf(req);
        this.readDone = body == Body.NONE;
    }

    private static Body bodyOf(HttpServletRequest req) {
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

    @Override
    public Body body() {
        return body;
    }

    @Override
    public long contentLength() {
        return req.getContentLengthLong();
    }

    @Override
    public void listen(Events listener) {
        this.events = listener;
    }

    @Override
    public void readBody(BodySink to) {
        synchronized (readLock) {
            sink = to;
            buffer = new byte[READ_BUFFER];
            try {
                in = req.getInputStream();
                in.setReadListener(this);
            } catch (IOException | RuntimeException e) {
                readDone = true;
                to.failed(e);
            }
        }
    }

    @Override
    public void onDataAvailable() {
        pumpIn();
    }

    @Override
    public void resumeBody() {
        pumpIn();
    }

    private void pumpIn() {
        synchronized (readLock) {
            if (readDone || in == null) {
                return;
            }
            try {
                while (in.isReady()) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        readDone = true;
                        sink.end();
                        return;
                    }
                    if (n > 0 && !sink.data(buffer, 0, n)) {
                        return;
                    }
                }
            } catch (IOException | RuntimeException e) {
                readDone = true;
                sink.failed(e);
            }
        }
    }

    @Override
    public void onAllDataRead() {
        synchronized (readLock) {
            if (!readDone) {
                readDone = true;
                sink.end();
            }
        }
    }

    @Override
    public void onError(Throwable t) {
        // the read or the write listener's failure: the body could not be read, or the client cannot be written to
        boolean reading;
        synchronized (readLock) {
            reading = !readDone && sink != null;
            readDone = true;
        }
        if (reading) {
            sink.failed(t);
        } else {
            clientGone(t);
        }
    }

    @Override
    public void respond(int status, List<Header> headers, long contentLength) {
        synchronized (writeLock) {
            res.setStatus(status);
            for (int i = 0; i < headers.size(); i++) {
                Header h = headers.get(i);
                // the first field of a name replaces what a filter set; later ones of the same name add to it
                if (firstOfItsName(headers, i)) {
                    res.setHeader(h.getName(), h.getValue());
                } else {
                    res.addHeader(h.getName(), h.getValue());
                }
            }
            if (contentLength >= 0) {
                res.setContentLengthLong(contentLength);
            }
            chunked = contentLength < 0;
            try {
                out = res.getOutputStream();
                out.setWriteListener(this);
            } catch (IOException | RuntimeException e) {
                gone = true;
            }
        }
        if (gone) {
            clientGone(new IOException("the response could not be started"));
        }
    }

    /** Whether no field before index i has the same name; a linear scan beats hashing for a dozen fields. */
    private static boolean firstOfItsName(List<Header> headers, int i) {
        String name = headers.get(i).getName();
        for (int j = 0; j < i; j++) {
            if (headers.get(j).getName().equalsIgnoreCase(name)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean isReady() {
        synchronized (writeLock) {
            return out != null && !gone && out.isReady();
        }
    }

    @Override
    public void write(byte[] chunk) {
        IOException failed = null;
        synchronized (writeLock) {
            try {
                out.write(chunk);
                if (chunked && out.isReady()) {
                    out.flush(); // a streamed answer (events, long polls) reaches the client as it comes
                }
            } catch (IOException e) {
                failed = e;
            } catch (IllegalStateException e) {
                failed = new IOException(e);
            }
        }
        if (failed != null) {
            clientGone(failed);
        }
    }

    @Override
    public void onWritePossible() {
        boolean complete = false;
        synchronized (writeLock) {
            if (endPending && !ended) {
                ended = true;
                complete = true;
            }
        }
        if (complete) {
            async.complete();
            return;
        }
        Events e = events;
        if (e != null) {
            e.writable();
        }
    }

    @Override
    public void end() {
        synchronized (writeLock) {
            if (ended) {
                return;
            }
            if (out != null && !out.isReady()) {
                endPending = true; // completes once the last write is through
                return;
            }
            ended = true;
        }
        async.complete();
    }

    @Override
    public void problem(int status, String title, String detail, boolean close, String... headers) {
        synchronized (writeLock) {
            if (ended) {
                return;
            }
            ended = true;
            try {
                Problems.send(req, res, status, title, detail, close, headers);
            } catch (IOException | RuntimeException e) {
                gone = true;
            }
        }
        finish();
    }

    @Override
    public void abort(Throwable cause) {
        synchronized (writeLock) {
            if (ended && !endPending) {
                return;
            }
            ended = true;
        }
        if (gone) {
            finish();
            return;
        }
        // the container aborts the connection when the dispatched servlet fails after the response was committed;
        // a head still in the buffer is sent first, so that the client sees a cut-off answer, never an error page
        commitHead();
        req.setAttribute(ProxyServlet.ABORTED, cause);
        try {
            async.dispatch();
        } catch (IllegalStateException e) {
            finish();
        }
    }

    private void commitHead() {
        synchronized (writeLock) {
            if (res.isCommitted() || out == null) {
                return;
            }
            try {
                if (out.isReady()) {
                    out.flush();
                }
            } catch (IOException | IllegalStateException e) {
                gone = true;
            }
        }
    }

    private void finish() {
        try {
            async.complete();
        } catch (IllegalStateException e) {
            // the container already ended the exchange (the client went away)
        }
    }

    private void clientGone(Throwable t) {
        gone = true;
        Events e = events;
        if (e != null) {
            e.clientFailed(t);
        } else {
            finish();
        }
    }

    @Override
    public boolean isCommitted() {
        return res.isCommitted();
    }

    @Override
    public boolean bodyUnread() {
        return !readDone;
    }

    @Override
    public void record(String upstream, String breaker, Boolean cacheHit) {
        if (upstream != null) {
            RequestAttributes.setUpstream(req, upstream);
        }
        if (breaker != null) {
            RequestAttributes.setBreaker(req, breaker);
        }
        if (cacheHit != null) {
            RequestAttributes.setCacheHit(req, cacheHit);
        }
    }

    @Override
    public void onComplete(AsyncEvent event) {
        RequestAttributes.finish(req);
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        clientGone(new IOException("async timeout"));
    }

    @Override
    public void onError(AsyncEvent event) {
        clientGone(event.getThrowable() != null ? event.getThrowable() : new IOException("client connection failed"));
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // one async cycle per request
    }
}
