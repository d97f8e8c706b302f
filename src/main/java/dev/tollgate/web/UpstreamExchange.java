package dev.tollgate.web;

import dev.tollgate.config.HeaderRules;
import dev.tollgate.config.RouteConfig;
import dev.tollgate.discovery.Instance;
import dev.tollgate.proxy.ClientBody;
import dev.tollgate.proxy.Forwarding;
import dev.tollgate.proxy.HopByHop;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpMessage;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.net.URIAuthority;

/**
 * Translates between the servlet request/response and the upstream HttpClient messages: path and query,
 * Host, header filtering (hop-by-hop out, forwarding headers in, route rules applied) in both directions.
 * Thread-safe (stateless apart from the forwarding policy).
 */
final class UpstreamExchange {
    /** Headers never copied from the client: framing is the client library's, the rest the gateway writes. */
    private static final Set<String> NOT_COPIED = Set.of("host", "content-length", "expect", "x-forwarded-for",
            "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "forwarded", "via", "x-request-id",
            "traceparent");
    private static final URI ROOT = URI.create("/");

    private final Forwarding forwarding;

    UpstreamExchange(Forwarding forwarding) {
        this.forwarding = forwarding;
    }

    HttpUriRequestBase request(HttpServletRequest req, RequestContext ctx, Instance instance) {
        RouteConfig route = ctx.route().config();
        HttpUriRequestBase up = new HttpUriRequestBase(req.getMethod(), ROOT);
        String query = req.getQueryString();
        String path = instance.basePath() + ctx.route().rewrite(ctx.path());
        up.setPath(query == null ? path : path + "?" + query);
        up.setScheme(instance.scheme());
        String host = req.getHeader(Headers.HOST);
        up.setAuthority(route.preserveHost() && host != null ? authority(host) : new URIAuthority(instance.authority()));

        Set<String> connectionNamed = HopByHop.connectionTokens(Collections.list(req.getHeaders(Headers.CONNECTION)));
        for (Enumeration<String> names = req.getHeaderNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            String lower = name.toLowerCase(Locale.ROOT);
            if (HopByHop.isHopByHop(lower) || connectionNamed.contains(lower) || NOT_COPIED.contains(lower)) {
                continue;
            }
            for (Enumeration<String> values = req.getHeaders(name); values.hasMoreElements(); ) {
                up.addHeader(name, values.nextElement());
            }
        }
        for (String[] h : forwarding.headers(inbound(req, host))) {
            up.setHeader(h[0], h[1]);
        }
        up.setHeader(Headers.REQUEST_ID, ctx.requestId());
        up.setHeader(Headers.TRACEPARENT, ctx.traceparent());
        apply(route.requestHeaders(), up);
        return up;
    }

    private static URIAuthority authority(String host) {
        try {
            return URIAuthority.create(host);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("Host header passed hygiene but is not an authority", e);
        }
    }

    private static Forwarding.Inbound inbound(HttpServletRequest req, String host) {
        return new Forwarding.Inbound(req.getRemoteAddr(), req.getScheme(),
                host != null ? host : req.getServerName(), req.getLocalPort(), req.getProtocol(),
                Collections.list(req.getHeaders(Headers.X_FORWARDED_FOR)), req.getHeader(Headers.X_FORWARDED_PROTO),
                req.getHeader(Headers.X_FORWARDED_HOST), req.getHeader(Headers.X_FORWARDED_PORT),
                Collections.list(req.getHeaders(Headers.FORWARDED)), Collections.list(req.getHeaders(Headers.VIA)));
    }

    /** Whether the client sends a body: a length above zero, chunked framing, or an open HTTP/2 stream. */
    static boolean hasBody(HttpServletRequest req) throws IOException {
        long length = req.getContentLengthLong();
        if (length >= 0) {
            return true;
        }
        if (req.getHeader(Headers.TRANSFER_ENCODING) != null) {
            return true;
        }
        return !req.getProtocol().startsWith("HTTP/1.") && !req.getInputStream().isFinished();
    }

    static HttpEntity entity(HttpServletRequest req, ClientBody body) {
        long length = req.getContentLengthLong();
        return length == 0 ? new ByteArrayEntity(new byte[0], null) : new InputStreamEntity(body, length, null);
    }

    /** Copies status and headers of the upstream response to the client response. */
    void copyHead(ClassicHttpResponse up, HttpServletResponse res, RequestContext ctx) {
        res.setStatus(up.getCode());
        Set<String> connectionNamed = new HashSet<>();
        for (Header h : up.getHeaders(Headers.CONNECTION)) {
            connectionNamed.addAll(HopByHop.connectionTokens(List.of(h.getValue())));
        }
        Set<String> seen = new HashSet<>();
        for (Header h : up.getHeaders()) {
            String lower = h.getName().toLowerCase(Locale.ROOT);
            if (HopByHop.isHopByHop(lower) || connectionNamed.contains(lower) || lower.equals("via")) {
                continue;
            }
            if (lower.equals("content-length")) {
                try {
                    res.setContentLengthLong(Long.parseLong(h.getValue().trim()));
                } catch (NumberFormatException e) {
                    // HttpClient has already refused a malformed length; nothing to copy
                }
                continue;
            }
            if (seen.add(lower)) {
                res.setHeader(h.getName(), h.getValue());
            } else {
                res.addHeader(h.getName(), h.getValue());
            }
        }
        List<String> via = new java.util.ArrayList<>();
        for (Header h : up.getHeaders(Headers.VIA)) {
            via.add(h.getValue());
        }
        res.setHeader(Headers.VIA, forwarding.via(via, up.getVersion() == null ? "HTTP/1.1" : up.getVersion().toString()));
        res.setHeader(Headers.REQUEST_ID, ctx.requestId());
        HeaderRules rules = ctx.route().config().responseHeaders();
        if (!rules.isEmpty()) {
            rules.remove().forEach(name -> res.setHeader(name, null));
            rules.set().forEach(res::setHeader);
            rules.add().forEach(res::addHeader);
        }
    }

    private static void apply(HeaderRules rules, HttpMessage msg) {
        if (rules.isEmpty()) {
            return;
        }
        rules.remove().forEach(msg::removeHeaders);
        for (Map.Entry<String, String> e : rules.set().entrySet()) {
            msg.setHeader(e.getKey(), e.getValue());
        }
        for (Map.Entry<String, String> e : rules.add().entrySet()) {
            msg.addHeader(e.getKey(), e.getValue());
        }
    }
}
