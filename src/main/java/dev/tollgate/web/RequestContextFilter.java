package dev.tollgate.web;

import dev.tollgate.Gateway;
import dev.tollgate.GatewayRuntime;
import dev.tollgate.auth.Principal;
import dev.tollgate.cors.CorsPolicy;
import dev.tollgate.http.HeaderNames;
import dev.tollgate.http.Rejection;
import dev.tollgate.observability.AccessLog;
import dev.tollgate.observability.AccessRecord;
import dev.tollgate.observability.GatewayMetrics;
import dev.tollgate.observability.RequestIds;
import dev.tollgate.proxy.Forwarding;
import dev.tollgate.route.CanonicalPath;
import dev.tollgate.route.RequestFacts;
import dev.tollgate.route.Route;
import dev.tollgate.route.RouteTable;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * First filter: request id and trace context, request hygiene, the canonical path, the route and the client
 * address; it hands them on as a {@link RequestContext} and records the request's metrics and access-log line
 * when it is done. Paths under the admin prefix match no route (the route table reserves them): 404.
 */
public final class RequestContextFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    /** Admits requests onto the current runtime. */
    private transient Gateway gateway;
    private transient GatewayMetrics metrics;
    private transient AccessLog accessLog;

    @Override
    public void init() {
        gateway = GatewayListener.gateway(getServletContext());
        metrics = gateway.metrics();
        accessLog = gateway.accessLog();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        long start = System.nanoTime();
        boolean logged = accessLog.isEnabled();
        HttpServletRequest req = logged ? new Counting.Request(request) : request;
        HttpServletResponse res = logged ? new Counting.Response(response) : response;
        Finish finish = new Finish(req, res, start, System.currentTimeMillis());
        RequestAttributes.setFinish(req, finish);
        try {
            handle(req, res, chain, start, finish);
        } finally {
            if (!req.isAsyncStarted()) {
                finish.run(); // else when the async cycle completes
            }
        }
    }

    private void handle(HttpServletRequest req, HttpServletResponse res, FilterChain chain, long start, Finish finish)
            throws IOException, ServletException {
        String incomingId = req.getHeader(HeaderNames.REQUEST_ID);
        String requestId = RequestIds.isValid(incomingId) ? incomingId : RequestIds.newId();
        RequestAttributes.setRequestId(req, requestId);
        res.setHeader(HeaderNames.REQUEST_ID, requestId);
        GatewayRuntime rt = gateway.enterRuntime();
        if (rt == null) {
            Problems.send(req, res, 503, "Service Unavailable", "The gateway is shutting down.", true,
                    HeaderNames.RETRY_AFTER, "1");
            return;
        }
        finish.runtime = rt;
        Route route = admit(req, res, start, requestId, rt);
        finish.route = route;
        if (route != null) {
            chain.doFilter(req, res);
        }
    }

    /**
     * The end of a request, once, whether it ended on the request thread or later in its async cycle: metrics,
     * the access-log line, and the drain count.
     */
    private final class Finish implements Runnable {
        private final HttpServletRequest req;
        private final HttpServletResponse res;
        private final long start;
        private final long startMillis;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile GatewayRuntime runtime;
        private volatile Route route;

        Finish(HttpServletRequest req, HttpServletResponse res, long start, long startMillis) {
            this.req = req;
            this.res = res;
            this.start = start;
            this.startMillis = startMillis;
        }

        @Override
        public void run() {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            long nanos = System.nanoTime() - start;
            GatewayRuntime rt = runtime;
            if (rt != null) {
                gateway.exit(rt);
                String service = RequestAttributes.service(req, route);
                metrics.record(route == null ? null : route.name(), service, res.getStatus(), nanos);
                if (route != null && route.isSplit() && service != null) {
                    metrics.recordShare(route.name(), service, res.getStatus(), nanos);
                }
            }
            if (req instanceof Counting.Request && res instanceof Counting.Response) {
                accessLog.log(record((Counting.Request) req, (Counting.Response) res, startMillis, nanos));
            }
        }
    }

    /** Checks and routes the request; answers it and returns null when it goes no further. */
    private Route admit(HttpServletRequest req, HttpServletResponse res, long start, String requestId,
                        GatewayRuntime rt) throws IOException {
        Optional<Rejection> refused = RequestHygiene.check(req, rt.headChecks());
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
        String host = RequestHygiene.hostName(req.getHeader(HeaderNames.HOST));
        Route route = match(rt.routes(), req, host == null ? req.getServerName() : host, path);
        if (route == null) { // also for a path under the admin prefix: the route table reserves it
            Problems.send(req, res, 404, "Not Found", "No route matches this request.", false);
            return null;
        }
        long length = req.getContentLengthLong();
        if (length > route.config().limits().maxBodySize()) {
            Problems.send(req, res, 413, "Content Too Large",
                    "The request body is larger than this route accepts.", true);
            return null;
        }
        Forwarding.Client client = rt.proxyRules().forwarding().client(req.getRemoteAddr(),
                Collections.list(req.getHeaders(HeaderNames.X_FORWARDED_FOR)));
        String traceparent = RequestIds.traceparent(req.getHeader(HeaderNames.TRACEPARENT));
        RequestAttributes.setContext(req, new RequestContext(requestId, traceparent, client.address(),
                client.peerTrusted(), path, route, start, rt));
        return route;
    }

    /**
     * The request's route. A CORS preflight is routed by the method it asks about, so that it meets the CORS policy
     * of the route the actual request will take; when that route has none, by {@code OPTIONS} as any request.
     */
    private static Route match(RouteTable routes, HttpServletRequest req, String host, String path) {
        RequestFacts facts = routes.hasPredicates() ? new ServletFacts(req) : null;
        String method = req.getMethod();
        if (method.equals("OPTIONS")) {
            String asked = req.getHeader(CorsPolicy.REQUEST_METHOD);
            if (CorsPolicy.isPreflight(method, req.getHeader(CorsPolicy.ORIGIN), asked)) {
                Route route = routes.match(host, asked, path, facts);
                if (route != null && route.cors() != null) {
                    return route;
                }
            }
        }
        return routes.match(host, method, path, facts);
    }

    private static AccessRecord record(Counting.Request req, Counting.Response res, long startMillis, long nanos) {
        RequestContext ctx = RequestAttributes.context(req);
        Principal principal = RequestAttributes.principal(req);
        Route route = ctx == null ? null : ctx.route();
        AccessRecord.Request request = new AccessRecord.Request(RequestAttributes.requestId(req),
                ctx == null ? null : RequestIds.traceId(ctx.traceparent()),
                ctx == null ? req.getRemoteAddr() : ctx.clientAddress(), req.getMethod(),
                ctx == null ? req.getRequestURI() : ctx.path(), req.getProtocol());
        AccessRecord.Target target = route == null ? AccessRecord.Target.NONE : new AccessRecord.Target(route.name(),
                RequestAttributes.service(req, route), RequestAttributes.upstream(req));
        AccessRecord.Result result = new AccessRecord.Result(res.getStatus(), req.bytes(), res.bytes(), nanos);
        AccessRecord.Decisions decisions = new AccessRecord.Decisions(principal == null ? null : principal.subject(),
                RequestAttributes.rateLimit(req), RequestAttributes.breaker(req), RequestAttributes.cacheHit(req));
        return new AccessRecord(startMillis, request, target, result, decisions);
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
