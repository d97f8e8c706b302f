package dev.tollgate.web;

import dev.tollgate.config.RateLimitRule;
import dev.tollgate.http.HeaderNames;
import dev.tollgate.ratelimit.Caller;
import dev.tollgate.ratelimit.Decision;
import dev.tollgate.ratelimit.RateLimitHeaders;
import dev.tollgate.ratelimit.RateLimiter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Applies the route's rate limits after authentication: 429 problem+json with {@code Retry-After} when a rule
 * has no room, 503 when Redis is unavailable and a rule fails closed. Every response of a limited route carries
 * the rate-limit header fields, including the gateway's own error answers after this filter.
 */
public final class RateLimitFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private transient RateLimiter limiter;

    @Override
    public void init() {
        limiter = GatewayListener.gateway(getServletContext()).rateLimiter();
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        RequestContext ctx = RequestAttributes.context(req);
        List<RateLimitRule> rules = ctx.route().rateRules();
        if (rules.isEmpty()) {
            chain.doFilter(req, res);
            return;
        }
        Decision d = limiter.check(new Caller(ctx.route().name(), ctx.clientAddress(),
                RequestAttributes.principal(req), req::getHeader), rules);
        Map<String, String> headers = RateLimitHeaders.of(d);
        RequestAttributes.setRateLimit(req, d.verdict().name().toLowerCase(Locale.ROOT));
        if (d.verdict() == Decision.Verdict.UNAVAILABLE) {
            Problems.send(req, res, 503, "Service Unavailable",
                    "Rate limits cannot be checked at the moment.", false, HeaderNames.RETRY_AFTER,
                    Long.toString(d.retryAfterSeconds()));
            return;
        }
        if (d.verdict() == Decision.Verdict.REJECT) {
            List<String> extra = new ArrayList<>();
            headers.forEach((k, v) -> {
                extra.add(k);
                extra.add(v);
            });
            extra.add(HeaderNames.RETRY_AFTER);
            extra.add(Long.toString(d.retryAfterSeconds()));
            Problems.send(req, res, 429, "Too Many Requests", "The rate limit of this route is exhausted.", false,
                    extra.toArray(new String[0]));
            return;
        }
        if (headers.isEmpty()) {
            chain.doFilter(req, res);
            return;
        }
        headers.forEach(res::setHeader);
        chain.doFilter(req, new LimitedResponse(res, headers));
    }

    /**
     * Keeps the gateway's rate-limit fields: when a later step replaces the response with a problem answer, and
     * when the upstream sends fields of the same names. An upstream's {@code RateLimit-Policy} and
     * {@code RateLimit} items are added beside the gateway's (a Structured Field list may span several field
     * lines); its {@code X-RateLimit-*} values are dropped, since those fields can describe one limit only.
     */
    private static final class LimitedResponse extends HttpServletResponseWrapper {
        private final Map<String, String> headers;

        LimitedResponse(HttpServletResponse res, Map<String, String> headers) {
            super(res);
            this.headers = headers;
        }

        @Override
        public void reset() {
            super.reset();
            headers.forEach(super::setHeader);
        }

        @Override
        public void setHeader(String name, String value) {
            if (!mergeOwn(name, value)) {
                super.setHeader(name, value);
            }
        }

        @Override
        public void addHeader(String name, String value) {
            if (!mergeOwn(name, value)) {
                super.addHeader(name, value);
            }
        }

        /** Whether the field is one of the gateway's rate-limit fields, merged or dropped here. */
        private boolean mergeOwn(String name, String value) {
            for (String own : headers.keySet()) {
                if (own.equalsIgnoreCase(name)) {
                    boolean list = own.equals(RateLimitHeaders.POLICY) || own.equals(RateLimitHeaders.RATE_LIMIT);
                    if (value != null && list) {
                        super.addHeader(own, value);
                    }
                    return true;
                }
            }
            return false;
        }
    }
}
