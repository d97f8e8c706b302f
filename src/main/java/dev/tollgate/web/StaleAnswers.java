package dev.tollgate.web;

import dev.tollgate.config.RouteConfig;
import dev.tollgate.resilience.BreakerOpenException;
import dev.tollgate.resilience.CachedResponse;
import dev.tollgate.resilience.Cacheability;
import dev.tollgate.resilience.ResponseCapture;
import dev.tollgate.resilience.StaleCache;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;

/**
 * The servlet side of the last-good-response cache: decides whether a response streaming to the client is
 * copied into the cache, and answers a request while its service's breaker is open, from the cache with
 * {@code Age} and {@code Cache-Status} (RFC 9211) or with 503 and {@code Retry-After}. Thread-safe.
 */
final class StaleAnswers {
    private final StaleCache cache;
    private final UpstreamExchange exchange;
    private final String cacheName;

    StaleAnswers(StaleCache cache, UpstreamExchange exchange, String cacheName) {
        this.cache = cache;
        this.exchange = exchange;
        this.cacheName = cacheName;
    }

    /** A bounded copy to take of this response while it streams, or null when it may not be kept. */
    ResponseCapture capture(HttpServletRequest req, RequestContext ctx, ClassicHttpResponse response) {
        RouteConfig route = ctx.route().config();
        if (!route.staleIfError() || !Cacheability.storable(req.getMethod(), response.getCode(), headers(req),
                name -> values(response, name), route.staleIfErrorPublic())) {
            return null;
        }
        HttpEntity entity = response.getEntity();
        return cache.capture(entity == null ? 0 : entity.getContentLength());
    }

    /** Keeps a response that streamed completely. */
    void keep(HttpServletRequest req, RequestContext ctx, ClassicHttpResponse response, ResponseCapture capture) {
        List<String[]> headers = new ArrayList<>();
        for (Header h : response.getHeaders()) {
            headers.add(new String[] {h.getName(), h.getValue()});
        }
        cache.put(key(req, ctx), response.getCode(), headers, capture, headers(req));
    }

    /** Answers while the breaker is open: the kept response where the route allows it, else 503. */
    void answerOpen(HttpServletRequest req, HttpServletResponse res, RequestContext ctx, BreakerOpenException open)
            throws IOException {
        RouteConfig route = ctx.route().config();
        CachedResponse kept = route.staleIfError()
                && Cacheability.servable(req.getMethod(), headers(req), route.staleIfErrorPublic())
                ? cache.get(key(req, ctx), headers(req)) : null;
        RequestAttributes.setBreaker(req, "open");
        RequestAttributes.setCacheHit(req, kept != null);
        if (kept == null) {
            Problems.send(req, res, 503, "Service Unavailable",
                    "The upstream service is failing; requests to it are paused.", false,
                    Headers.RETRY_AFTER, Long.toString(open.retryAfterSeconds()));
            return;
        }
        BasicClassicHttpResponse head = new BasicClassicHttpResponse(kept.status());
        for (String[] h : kept.headers()) {
            head.addHeader(h[0], h[1]);
        }
        exchange.copyHead(head, res, ctx);
        res.setContentLength(kept.body().length);
        res.setHeader(Headers.AGE, Long.toString(kept.ageSeconds(cache.now())));
        res.addHeader(Headers.CACHE_STATUS, cacheName + "; hit; detail=stale-if-error");
        if (!"HEAD".equals(req.getMethod())) {
            res.getOutputStream().write(kept.body());
        }
    }

    /** Route, host, canonical path and query: what selects a response. */
    private static String key(HttpServletRequest req, RequestContext ctx) {
        String query = req.getQueryString();
        return ctx.route().name() + " " + req.getHeader(Headers.HOST) + " " + ctx.path()
                + (query == null ? "" : "?" + query);
    }

    private static Function<String, List<String>> headers(HttpServletRequest req) {
        return name -> Collections.list(req.getHeaders(name));
    }

    private static List<String> values(ClassicHttpResponse response, String name) {
        List<String> out = new ArrayList<>();
        for (Header h : response.getHeaders(name)) {
            out.add(h.getValue());
        }
        return out;
    }
}
