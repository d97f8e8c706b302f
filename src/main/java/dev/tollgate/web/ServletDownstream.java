package dev.tollgate.web;

import dev.tollgate.proxy.Downstream;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.apache.hc.core5.http.Header;

/**
 * The client side of one proxied request over Servlet async I/O: the request body is read by a
 * {@link ServletRequestBody} only while the core asks for more, and the response is written with a
 * {@link WriteListener}, so that no thread waits for the client either. Writes are serialised by one lock, since
 * the core calls in from I/O reactor threads while the container calls back on its own. One per request.
 */
final class ServletDownstream implements Downstream, WriteListener, AsyncListener {
    private final HttpServletRequest req;
    private final HttpServletResponse res;
    private final AsyncContext async;
    private final ServletRequestBody body;
    private final Object writeLock = new Object();
    private volatile Events events;
    private ServletOutputStream out;
    private boolean chunked;
    private boolean endPending;
    private boolean ended;
    private volatile boolean gone;

    ServletDownstream(HttpServletRequest req, HttpServletResponse res, AsyncContext async) {
        this.req = req;
        this.res = res;
        this.async = async;
        this.body = new ServletRequestBody(req, this::clientGone);
    }

    @Override
    public Body body() {
        return body.kind();
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
        body.read(to);
    }

    @Override
    public void resumeBody() {
        body.resume();
    }

    @Override
    public void onError(Throwable t) {
        clientGone(t); // the write listener's failure: the client cannot be written to
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
        return body.unread();
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
