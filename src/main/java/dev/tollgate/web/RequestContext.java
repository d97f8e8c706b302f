package dev.tollgate.web;

import dev.tollgate.GatewayRuntime;
import dev.tollgate.route.Route;

/**
 * What {@link RequestContextFilter} learned about a request, handed to every later filter and the servlet.
 *
 * @param requestId the request id sent upstream and echoed to the client
 * @param traceparent the W3C traceparent sent upstream
 * @param clientAddress the trusted-proxy-aware client address
 * @param peerTrusted whether the TCP peer is a trusted proxy
 * @param path the canonical path (routing, auth and limits all use it)
 * @param route the matched route
 * @param startNanos when the gateway received the request
 */
public record RequestContext(String requestId, String traceparent, String clientAddress,
                             boolean peerTrusted, String path, Route route,
                             long startNanos, GatewayRuntime runtime) {
}
