package dev.tollgate.server;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * An HTTP/1.1 connection whose request heads have a deadline (see {@link HeadDeadlineConnectionFactory}).
 * While a head is being received, the end point's idle timeout is lowered to the time left until the
 * deadline, so a client that stops sending is closed at the deadline too, not one idle timeout later; once
 * the head is complete, the idle timeout it had is restored. A head that is still incomplete at the deadline
 * is answered 408 (RFC 9110 section 15.5.9) and the connection closed. Its parser also keeps the end of an
 * upgrade request for its input (see {@link DeadlineParser#hasContent()}). Jetty's {@link HttpConnection} is
 * internal API; this class uses only members that Jetty 12.0 and 12.1 both have (it is compiled against 12.0 and
 * runs on the 12.1 distribution as well). Used by the
 * connection's one reading thread at a time, like its superclass.
 */
class HeadDeadlineConnection extends HttpConnection {
    private static final long NONE = Long.MIN_VALUE;

    private final long deadlineNanos;
    /** When the current head began (its first byte), or NONE between heads. */
    private long headBegan = NONE;
    private long idleTimeout;

    HeadDeadlineConnection(HttpConfiguration config, Connector connector, EndPoint endPoint,
                           long requestHeadTimeout) {
        super(config, connector, endPoint);
        this.deadlineNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, requestHeadTimeout));
    }

    @Override
    protected HttpParser newHttpParser(HttpCompliance compliance) {
        // called by the superclass constructor: the parser reads this connection's fields only while parsing.
        // The stock parser is made first only for its handler, the connection's one request handler.
        HttpParser.RequestHandler handler = (HttpParser.RequestHandler) super.newHttpParser(compliance).getHandler();
        HttpParser parser = new DeadlineParser(handler, getHttpConfiguration().getRequestHeaderSize(), compliance);
        parser.setHeaderCacheSize(getHttpConfiguration().getHeaderCacheSize());
        parser.setHeaderCacheCaseSensitive(getHttpConfiguration().isHeaderCacheCaseSensitive());
        return parser;
    }

    private final class DeadlineParser extends HttpParser {
        DeadlineParser(HttpParser.RequestHandler handler, int maxHeaderBytes, HttpCompliance compliance) {
            super(handler, maxHeaderBytes, compliance);
        }

        /**
         * Whether the request may still have a body to parse. Jetty parses a request without any body to its
         * end before handling it, and keeps that end for the request's input; if the request then switches
         * protocols through the servlet upgrade API, the upgraded input reads that end first and is closed at
         * once. A WebSocket handshake without {@code Content-Length} (as browsers send it) would so end every
         * tunnel as it opens. A request that asks for an {@code Upgrade} is therefore left unparsed past its head
         * (as one with {@code Content-Length: 0} is): its end is parsed when its input is read, which after a
         * switch of protocols it never is.
         */
        @Override
        public boolean hasContent() {
            if (super.hasContent()) {
                return true;
            }
            Request request = getHttpChannel().getRequest();
            return request != null && request.getHeaders().contains(HttpHeader.UPGRADE);
        }

        @Override
        public boolean parseNext(ByteBuffer buffer) {
            if (deadlineNanos == 0) {
                return super.parseNext(buffer);
            }
            if (headBegan == NONE && isStart() && buffer.hasRemaining()) {
                // the first byte of a head, blank lines before the request line included
                headBegan = System.nanoTime();
                idleTimeout = getEndPoint().getIdleTimeout();
            }
            boolean handle = super.parseNext(buffer);
            if (headBegan == NONE) {
                return handle;
            }
            if (!inHeaderState() || isClose() || isClosed()) {
                headBegan = NONE;
                getEndPoint().setIdleTimeout(idleTimeout);
                return handle;
            }
            long left = deadlineNanos - (System.nanoTime() - headBegan);
            if (left <= 0) {
                headBegan = NONE;
                getEndPoint().setIdleTimeout(idleTimeout);
                badMessage(new BadMessageException(HttpStatus.REQUEST_TIMEOUT_408, "Request head not received in time"));
                return false;
            }
            long leftMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
            getEndPoint().setIdleTimeout(idleTimeout > 0 ? Math.min(idleTimeout, leftMillis) : leftMillis);
            return handle;
        }
    }
}
