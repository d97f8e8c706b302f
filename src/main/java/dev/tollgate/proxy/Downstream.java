package dev.tollgate.proxy;

import java.util.List;
import org.apache.hc.core5.http.Header;

/**
 * The client side of one exchange, as the proxy core drives it: the request body as a non-blocking source and the
 * response as a non-blocking sink. The servlet layer implements it over Servlet async I/O; every method returns at
 * once. Calls may come from any thread, never two at a time for the same direction.
 */
public interface Downstream {
    /** How the client frames its request body. */
    enum Body {
        /** No body: no length above zero and no chunked framing (HTTP/1.x). */
        NONE,
        /** A declared length above zero. */
        LENGTH,
        /** HTTP/1.1 chunked framing. */
        CHUNKED,
        /** HTTP/2 without a length: a body follows unless the stream ends at once. */
        UNKNOWN
    }

    /** Called back by the client side: it can take more of the response, or it went away. */
    interface Events {
        void writable();

        void clientFailed(Throwable cause);
    }

    /** Receives the request body; copies what it keeps, returns false to pause until {@link #resumeBody()}. */
    interface BodySink {
        boolean data(byte[] b, int off, int len);

        void end();

        void failed(Throwable cause);
    }

    Body body();

    /** The declared length of the request body, or -1. */
    long contentLength();

    void listen(Events events);

    /** Starts delivering the request body to the sink, once. */
    void readBody(BodySink sink);

    /** Delivers more of the body after the sink paused. */
    void resumeBody();

    /** Sets the response head; the body follows through {@link #write(byte[])}. */
    void respond(int status, List<Header> headers, long contentLength);

    /** Whether another write can be taken now; when false, {@link Events#writable()} follows. */
    boolean isReady();

    /** Hands a chunk of the response body on; the chunk is not reused. */
    void write(byte[] chunk);

    /** The response is complete. */
    void end();

    /** Answers with a problem (RFC 9457); headers are extra name-value pairs such as {@code Retry-After}. */
    void problem(int status, String title, String detail, boolean close, String... headers);

    /** Aborts the client connection, so that a response cut short never looks complete. */
    void abort(Throwable cause);

    boolean isCommitted();

    /** Whether part of the request body was left unread (the connection must then be closed). */
    boolean bodyUnread();

    /** Records for the access log which instance served, and what the breaker and the stale cache did. */
    void record(String upstream, String breaker, Boolean cacheHit);
}
