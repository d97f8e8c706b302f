package dev.tollgate.server;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;

/**
 * Clear-text HTTP/2 by prior knowledge only. A connection that starts with the HTTP/2 preface ({@code PRI *
 * HTTP/2.0}) becomes an HTTP/2 connection, as with Jetty's own factory; an HTTP/1.1 request with
 * {@code Upgrade: h2c} is not upgraded (no 101) but answered over HTTP/1.1. RFC 9113 section 3.1 deprecates the
 * h2c upgrade, and an upgrade path is a request-smuggling surface between proxies that disagree on it.
 * Installed by {@code jetty-base/etc/tollgate-http.xml} in place of the {@code http2c} module's factory; the
 * same {@code jetty.http2c.*} settings apply. Thread-safe, like its superclass.
 */
public class PriorKnowledgeH2cConnectionFactory extends HTTP2CServerConnectionFactory {
    public PriorKnowledgeH2cConnectionFactory(HttpConfiguration config) {
        super(config);
    }

    @Override
    public Connection upgradeConnection(Connector connector, EndPoint endPoint, MetaData.Request request,
                                        HttpFields.Mutable response101) {
        // null: Jetty ignores the Upgrade header and handles the request as HTTP/1.1
        return HttpMethod.PRI.is(request.getMethod())
                ? super.upgradeConnection(connector, endPoint, request, response101) : null;
    }
}
