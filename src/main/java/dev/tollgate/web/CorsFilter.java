package dev.tollgate.web;

import dev.tollgate.cors.CorsPolicy;
import dev.tollgate.http.HeaderField;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;

/**
 * Answers CORS preflights on routes with a CORS policy, after {@link RequestContextFilter} and before
 * authentication and rate limits: {@code 204} with the route's {@code Access-Control-Allow-*} headers, or
 * {@code 403} problem+json for an origin, method or header the route does not allow. A preflight never reaches the
 * upstream; every other request passes on untouched (the CORS headers of actual responses are written by the
 * proxy core and {@link Problems}).
 */
public final class CorsFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        CorsPolicy cors = RequestAttributes.context(req).route().cors();
        if (cors == null || !"OPTIONS".equals(req.getMethod())) {
            chain.doFilter(req, res);
            return;
        }
        String origin = req.getHeader(CorsPolicy.ORIGIN);
        String asked = req.getHeader(CorsPolicy.REQUEST_METHOD);
        if (!CorsPolicy.isPreflight(req.getMethod(), origin, asked)) {
            chain.doFilter(req, res); // a plain OPTIONS goes to the upstream
            return;
        }
        CorsPolicy.Preflight answer = cors.preflight(origin, asked,
                Collections.list(req.getHeaders(CorsPolicy.REQUEST_HEADERS)));
        if (!answer.allowed()) {
            Problems.send(req, res, 403, "Forbidden", answer.detail(), false);
            return;
        }
        for (HeaderField h : answer.headers()) {
            res.setHeader(h.name(), h.value());
        }
        res.setStatus(HttpServletResponse.SC_NO_CONTENT);
    }
}
