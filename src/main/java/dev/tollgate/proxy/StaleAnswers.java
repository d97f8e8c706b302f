package dev.tollgate.proxy;

import dev.tollgate.config.RouteConfig;
import dev.tollgate.http.HeaderNames;
import dev.tollgate.resilience.BreakerOpenException;
import dev.tollgate.resilience.Cacheability;
import dev.tollgate.resilience.CachedResponse;
import dev.tollgate.resilience.ResponseCapture;
import dev.tollgate.resilience.StaleCache;
import java.util.ArrayList;
import java.util.List;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http.message.BasicHttpResponse;

/**
 * The proxy's side of the last-good-response cache: decides whether a response streaming to the client is copied
 * into the cache, and answers a request while its service's breaker is open, from the cache with {@code Age} and
 * {@code Cache-Status} (RFC 9211) or with 503 and {@code Retry-After}. Thread-safe.
 */
final class StaleAnswers {
    private final StaleCache cache;
    private final HeaderPolicy headers;
    private final String cacheName;

    StaleAnswers(StaleCache cache, HeaderPolicy headers, String cacheName) {
        this.cache = cache;
        this.headers = headers;
        this.cacheName = cacheName;
    }

    /** A bounded copy to take of this response while it streams, or null when it may not be kept. */
    ResponseCapture capture(RequestHead head, HttpResponse response, long contentLength) {
        RouteConfig route = head.route().config();
        if (!route.staleIfError().enabled() || !Cacheability.storable(head.method(), response.getCode(), head::headers,
                name -> values(response, name), route.staleIfError().publicContent())) {
            return null;
        }
        return cache.capture(contentLength);
    }

    /** Keeps a response that streamed completely. */
    void keep(RequestHead head, HttpResponse response, ResponseCapture capture) {
        List<String[]> kept = new ArrayList<>();
        for (Header h : response.getHeaders()) {
            kept.add(new String[] {h.getName(), h.getValue()});
        }
        cache.put(head.cacheKey(), response.getCode(), kept, capture, head::headers);
    }

    /** Answers while the breaker is open: the kept response where the route allows it, else 503. */
    void answerOpen(RequestHead head, Downstream client, BreakerOpenException open) {
        RouteConfig route = head.route().config();
        CachedResponse kept = route.staleIfError().enabled()
                && Cacheability.servable(head.method(), head::headers, route.staleIfError().publicContent())
                ? cache.get(head.cacheKey(), head::headers) : null;
        client.record(null, "open", kept != null);
        if (kept == null) {
            client.problem(503, "Service Unavailable", "The upstream service is failing; requests to it are paused.",
                    false, HeaderNames.RETRY_AFTER, Long.toString(open.retryAfterSeconds()));
            return;
        }
        BasicHttpResponse stored = new BasicHttpResponse(kept.status());
        for (String[] h : kept.headers()) {
            stored.addHeader(h[0], h[1]);
        }
        HeaderPolicy.ResponseHead out = headers.response(stored, head);
        List<Header> fields = new ArrayList<>(out.headers());
        fields.add(new BasicHeader(HeaderNames.AGE, Long.toString(kept.ageSeconds(cache.now()))));
        fields.add(new BasicHeader(HeaderNames.CACHE_STATUS, cacheName + "; hit; detail=stale-if-error"));
        client.respond(out.status(), fields, kept.body().length);
        if (!"HEAD".equals(head.method()) && kept.body().length > 0) {
            client.write(kept.body());
        }
        client.end();
    }

    private static List<String> values(HttpResponse response, String name) {
        List<String> out = new ArrayList<>();
        for (Header h : response.getHeaders(name)) {
            out.add(h.getValue());
        }
        return out;
    }
}
