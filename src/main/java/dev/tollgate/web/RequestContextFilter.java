package dev.tollgate.web;

import dev.tollgate.Gateway;
import dev.tollgate.auth.Principal;
import dev.tollgate.http.Rejection;
import dev.tollgate.observability.AccessRecord;
import dev.tollgate.observability.AdminAccess;
import dev.tollgate.observability.RequestIds;
import dev.tollgate.route.CanonicalPath;
import dev.tollgate.route.Route;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Optional;

/**
 * First filter: request id and trace context, request hygiene, the canonical path, the route and the client
 * address; it hands them on as a {@link RequestContext} and records the request's metrics and access-log line
 * when it is done. Paths under the admin prefix are never routed (404), whatever the routes say.
 */
public final class RequestContextFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private transient Gateway gateway;
    private transient RequestHygiene hygiene;
    private transient AdminAccess admin;

    @Override
    public void init() {
        gateway = GatewayListener.gateway(getServletContext());
        hygiene = new RequestHygiene(gateway.config().limits());
        admin = new AdminAccess(gateway.config().admin());
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        long start = System.nanoTime();
        long startMillis = System.currentTimeMillis();
        boolean logged = gateway.accessLog().isEnabled();
        Counting.Request req = logged ? new Counting.Request(request) : null;
        Counting.Response res = logged ? new Counting.Response(response) : null;
        try {
            handle(logged ? req : request, logged ? res : response, chain, start);
        } finally {
            if (logged) {
                gateway.accessLog().log(record(req, res, startMillis, System.nanoTime() - start));
            }
        }
    }

    private void handle(HttpServletRequest req, HttpServletResponse res, FilterChain chain, long start)
            throws IOException, ServletException {
        String incomingId = req.getHeader(Headers.REQUEST_ID);
        String requestId = RequestIds.isValid(incomingId) ? incomingId : RequestIds.newId();
        RequestAttributes.setRequestId(req, requestId);
        res.setHeader(Headers.REQUEST_ID, requestId);
        if (!gateway.enter()) {
            Problems.send(req, res, 503, "Service Unavailable", "The gateway is shutting down.", true,
                    Headers.RETRY_AFTER, "1");
            return;
        }
        Route route = null;
        try {
            route = admit(req, res, start, requestId);
            if (route != null) {
                chain.doFilter(req, res);
            }
        } finally {
            gateway.exit();
            gateway.metrics().record(route == null ? null : route.name(), route == null ? null : route.service(),
                    res.getStatus(), System.nanoTime() - start);
        }
    }

    /** Checks and routes the request; answers it and returns null when it goes no further. */
    private Route admit(HttpServletRequest req, HttpServletResponse res, long start, String requestId)
            throws IOException {
        Optional<Rejection> refused = hygiene.check(req);
        if (refused.isPresent()) {
            Rejection rejection = refused.get();
            Problems.send(req, res, rejection.status(), title(rejection.status()), rejection.detail(),
                    rejection.close());
            return null;
        }
        String path;
        try {
            // the path inside this WAR: deployed at /gw, a request for /gw/api/x is routed as /api/x
            String uri = req.getRequestURI();
            path = CanonicalPath.of(uri.substring(req.getContextPath().length()));
        } catch (CanonicalPath.InvalidPathException e) {
            Problems.send(req, res, 400, "Bad Request", "Invalid path: " + e.getMessage() + ".", false);
            return null;
        }
        String host = RequestHygiene.hostName(req.getHeader(Headers.HOST));
        Route route = gateway.routes().match(host == null ? req.getServerName() : host, req.getMethod(), path);
        if (route == null || admin.isReserved(path)) {
            Problems.send(req, res, 404, "Not Found", "No route matches this request.", false);
            return null;
        }
        long length = req.getContentLengthLong();
        if (length > route.config().maxBodySize()) {
            Problems.send(req, res, 413, "Content Too Large",
                    "The request body is larger than this route accepts.", true);
            return null;
        }
        String client = gateway.forwarding().clientAddress(req.getRemoteAddr(),
                Collections.list(req.getHeaders(Headers.X_FORWARDED_FOR)));
        String traceparent = RequestIds.traceparent(req.getHeader(Headers.TRACEPARENT));
        RequestAttributes.setContext(req, new RequestContext(requestId, traceparent, client, path, route, start));
        return route;
    }

    private static AccessRecord record(Counting.Request req, Counting.Response res, long startMillis, long nanos) {
        RequestContext ctx = RequestAttributes.context(req);
        Principal principal = RequestAttributes.principal(req);
        Route route = ctx == null ? null : ctx.route();
        return new AccessRecord(startMillis, RequestAttributes.requestId(req),
                ctx == null ? null : RequestIds.traceId(ctx.traceparent()),
                ctx == null ? req.getRemoteAddr() : ctx.clientAddress(), req.getMethod(),
                ctx == null ? req.getRequestURI() : ctx.path(), req.getProtocol(),
                route == null ? null : route.name(), route == null ? null : route.service(),
                RequestAttributes.upstream(req), res.getStatus(), req.bytes(), res.bytes(), nanos,
                principal == null ? null : principal.subject(), RequestAttributes.rateLimit(req),
                RequestAttributes.breaker(req), RequestAttributes.cacheHit(req));
    }

    private static String title(int status) {
        switch (status) {
            case 414: return "URI Too Long";
            case 431: return "Request Header Fields Too Large";
            case 501: return "Not Implemented";
            default: return "Bad Request";
        }
    }
}
