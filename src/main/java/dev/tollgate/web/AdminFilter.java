package dev.tollgate.web;

import dev.tollgate.Gateway;
import dev.tollgate.observability.AdminAccess;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The admin endpoints' gate, first in the chain. On the admin port (a connector of its own, e.g. bound to
 * 127.0.0.1) it answers admin paths for allowed TCP peers with the bearer token, and nothing else: the admin
 * connector never proxies. On every other port it passes the request on: no route matches an admin path there
 * ({@link dev.tollgate.route.RouteTable} reserves it), so it gets 404 whatever the routes say. A refused peer
 * gets the same 404 as an unknown path.
 */
public final class AdminFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private transient Gateway gateway;
    private transient AdminEndpoints endpoints;

    @Override
    public void init() {
        gateway = GatewayListener.gateway(getServletContext());
        endpoints = new AdminEndpoints(gateway, GatewayListener.management(getServletContext()));
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        AdminAccess access = gateway.adminAccess();
        if (!access.servesPort(req.getLocalPort())) {
            chain.doFilter(req, res);
            return;
        }
        String endpoint = access.endpoint(req.getRequestURI().substring(req.getContextPath().length()));
        if (endpoint == null) {
            if (access.hasOwnPort()) {
                notFound(req, res);
            } else {
                chain.doFilter(req, res);
            }
            return;
        }
        if (!access.allows(req.getRemoteAddr())) {
            notFound(req, res);
            return;
        }
        if (!access.hasToken(req.getHeader("Authorization"))) {
            Problems.send(req, res, 401, "Unauthorized", "The admin endpoints need the admin bearer token.", false,
                    "WWW-Authenticate", "Bearer realm=\"tollgate-admin\"");
            return;
        }
        if (!"GET".equals(req.getMethod()) && !"HEAD".equals(req.getMethod())) {
            Problems.send(req, res, 405, "Method Not Allowed", "The admin endpoints answer GET and HEAD.", false,
                    "Allow", "GET, HEAD");
            return;
        }
        if (!endpoints.serve(endpoint, req, res)) {
            notFound(req, res);
        }
    }

    private static void notFound(HttpServletRequest req, HttpServletResponse res) throws IOException {
        Problems.send(req, res, 404, "Not Found", "No route matches this request.", false);
    }
}
