package dev.tollgate.web;

import dev.tollgate.auth.Principal;
import dev.tollgate.http.HeaderField;
import dev.tollgate.proxy.Proxy;
import dev.tollgate.proxy.RequestHead;
import dev.tollgate.proxy.WebSocketUpgrade;
import dev.tollgate.route.Route;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;

/**
 * The last step: decides the request's service (a split route's pick, once), puts the request into async mode,
 * reads its head once into a {@link RequestHead} and hands it,
 * with the body channels of a {@link ServletDownstream}, to the non-blocking {@link Proxy}; the request thread
 * returns at once. Fails the ASYNC dispatch that the core asks for when a response must be cut off, so that the
 * container aborts the connection ({@link ErrorPageServlet} answers the container's own errors). On a route with
 * {@code websocket = true}, a WebSocket opening handshake goes to {@link TunnelUpgrade} instead.
 */
public final class ProxyServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    /** Request attribute: why the response was aborted after it started. */
    static final String ABORTED = ProxyServlet.class.getName() + ".aborted";

    private transient Proxy proxy;

    @Override
    public void init() {
        proxy = GatewayListener.gateway(getServletContext()).proxy();
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        if (req.getDispatcherType() == DispatcherType.ASYNC) {
            throw new IOException("upstream failed after the response started", (Throwable) req.getAttribute(ABORTED));
        }
        RequestContext ctx = RequestAttributes.context(req);
        String service = service(req, ctx.route());
        RequestHead head = head(req, ctx, service);
        if (ctx.route().config().websocket().enabled()) {
            WebSocketUpgrade.Kind kind = WebSocketUpgrade.classify(head);
            if (kind == WebSocketUpgrade.Kind.VALID) {
                TunnelUpgrade.serve(req, res, head, proxy.webSockets(), ctx.runtime());
                return;
            }
            if (kind == WebSocketUpgrade.Kind.INVALID) {
                Problems.send(req, res, 400, "Bad Request", "Not a valid WebSocket opening handshake "
                        + "(RFC 6455: GET over HTTP/1.1, Connection: Upgrade, Sec-WebSocket-Key, "
                        + "Sec-WebSocket-Version: 13, no body).", true);
                return;
            }
        }
        AsyncContext async = req.startAsync(req, res);
        async.setTimeout(0); // the route's timeouts and the connector's idle timeout govern
        ServletDownstream client = new ServletDownstream(req, res, async);
        async.addListener(client);
        proxy.forward(head, client, ctx.runtime().proxyRules());
    }

    /** The service, decided once per request; on a split route after authentication (sticky by principal). */
    private static String service(HttpServletRequest req, Route route) {
        if (!route.isSplit()) {
            return route.service();
        }
        Principal principal = RequestAttributes.principal(req);
        String service = route.chooseService(new ServletFacts(req), principal == null ? null : principal.subject(),
                ThreadLocalRandom.current());
        RequestAttributes.setService(req, service);
        return service;
    }

    private static RequestHead head(HttpServletRequest req, RequestContext ctx, String service) {
        List<Header> headers = new ArrayList<>(16);
        for (Enumeration<String> names = req.getHeaderNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            for (Enumeration<String> values = req.getHeaders(name); values.hasMoreElements(); ) {
                headers.add(new BasicHeader(name, values.nextElement()));
            }
        }
        List<Header> added = new ArrayList<>(4);
        for (HeaderField h : RequestAttributes.userHeaders(req)) {
            added.add(new BasicHeader(h.name(), h.value()));
        }
        RequestHead.Peer peer = new RequestHead.Peer(req.getRemoteAddr(), req.getScheme(), req.getServerName(),
                req.getLocalPort(), req.getProtocol(), ctx.peerTrusted(), ctx.clientAddress());
        return new RequestHead(req.getMethod(), ctx.path(), req.getQueryString(), headers, added, peer, ctx.route(),
                ctx.requestId(), ctx.traceparent(), service);
    }
}
