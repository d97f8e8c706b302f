package dev.tollgate.server;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;

/**
 * Jetty's HTTP/1.1 connection factory with a deadline for the whole request head: from its first byte to the
 * end of its header fields. Jetty's idle timeout restarts with every byte, so a client that sends one header
 * line every few seconds would hold its connection forever (slowloris); with this factory the head must be
 * complete within {@link #setRequestHeadTimeout}, else the connection is answered 408 and closed. Its
 * connections also leave a request that asks for an {@code Upgrade} unparsed past its head, so that a WebSocket
 * handshake without {@code Content-Length} switches protocols with its input open. Installed by
 * {@code jetty-base/etc/tollgate-http.xml} (and {@code tollgate-https.xml}) in place of the stock factory, with
 * the same {@link HttpConfiguration}. Configured before the connector starts; thread-safe afterwards.
 */
public class HeadDeadlineConnectionFactory extends HttpConnectionFactory {
    private volatile long requestHeadTimeout = 20_000;

    public HeadDeadlineConnectionFactory(HttpConfiguration config) {
        super(config);
    }

    /** Milliseconds a client has for a whole request head; 0 or less: no deadline (only the idle timeout). */
    public long getRequestHeadTimeout() {
        return requestHeadTimeout;
    }

    public void setRequestHeadTimeout(long millis) {
        requestHeadTimeout = millis;
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        HeadDeadlineConnection connection = new HeadDeadlineConnection(getHttpConfiguration(), connector, endPoint,
                requestHeadTimeout);
        connection.setUseInputDirectByteBuffers(isUseInputDirectByteBuffers());
        connection.setUseOutputDirectByteBuffers(isUseOutputDirectByteBuffers());
        return configure(connection, connector, endPoint);
    }
}
