package dev.tollgate.proxy;

import dev.tollgate.http.HeaderNames;
import dev.tollgate.route.Route;
import java.util.ArrayList;
import java.util.List;
import org.apache.hc.core5.http.Header;

/**
 * The client's request as the proxy core sees it, read once from the container: what was received, what the
 * filters before the proxy learned, and the header fields the gateway itself adds. Immutable.
 *
 * @param method the request method
 * @param path the canonical path (routing, auth and limits all use it)
 * @param query the raw query string, or null
 * @param headers the client's header fields as received, in order (client-set identity headers already removed)
 * @param added header fields the gateway adds (user context), set after the client's are filtered
 * @param peer what the connection says of the client
 * @param route the matched route
 * @param requestId the request id sent upstream and echoed to the client
 * @param traceparent the W3C traceparent sent upstream
 * @param service the service this request goes to, decided once: the route's one service, or its split's pick
 */
public record RequestHead(String method, String path, String query, List<Header> headers, List<Header> added,
                          Peer peer, Route route, String requestId, String traceparent, String service) {
    public RequestHead {
        headers = List.copyOf(headers);
        added = List.copyOf(added);
    }

    /** A request to a route with one service. */
    public RequestHead(String method, String path, String query, List<Header> headers, List<Header> added,
                       Peer peer, Route route, String requestId, String traceparent) {
        this(method, path, query, headers, added, peer, route, requestId, traceparent, route.service());
    }

    /**
     * What the connection says of the client.
     *
     * @param address the address of the TCP peer
     * @param scheme {@code http} or {@code https} as received
     * @param serverName the server name the container resolved (used when there is no Host header)
     * @param localPort the port the request arrived on
     * @param protocol e.g. {@code HTTP/1.1}
     * @param trusted whether the peer is a trusted proxy, decided once ({@link Forwarding.Client#peerTrusted()})
     * @param clientAddress the client's address, decided once ({@link Forwarding.Client#address()})
     */
    public record Peer(String address, String scheme, String serverName, int localPort, String protocol,
                       boolean trusted, String clientAddress) {
    }

    /** The first value of a header field (any case), or null. */
    public String header(String name) {
        for (Header h : headers) {
            if (h.getName().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }

    /** Every value of a header field (any case), in order. */
    public List<String> headers(String name) {
        List<String> out = new ArrayList<>(2);
        for (Header h : headers) {
            if (h.getName().equalsIgnoreCase(name)) {
                out.add(h.getValue());
            }
        }
        return out;
    }

    /** The target sent upstream to this instance: base path, rewritten path and query. */
    String target(String basePath) {
        String p = basePath + route.rewrite(path);
        return query == null ? p : p + "?" + query;
    }

    /**
     * What selects a response in the stale-if-error cache: route, service (each version of a split keeps its own),
     * host, canonical path and query.
     */
    String cacheKey() {
        return route.name() + " " + service + " " + header(HeaderNames.HOST) + " " + path
                + (query == null ? "" : "?" + query);
    }
}
