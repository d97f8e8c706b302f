package dev.tollgate.web;

import dev.tollgate.auth.Authenticator;
import dev.tollgate.auth.ClaimHeaders;
import dev.tollgate.config.AuthConfig;
import dev.tollgate.http.HeaderField;
import dev.tollgate.http.HeaderNames;
import dev.tollgate.route.Route;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Second filter: applies the route's authentication policy. On every route it removes client-sent
 * user-context headers and the claim headers of every route; on an authenticating route it answers 400/401/403
 * (problem+json with {@code WWW-Authenticate}), 503 with {@code Retry-After} while a token's introspection
 * endpoint is down, or sets the principal and sends the caller's user-context and the route's claim headers
 * upstream.
 */
public final class AuthFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private transient ClaimHeaders claimHeaders;

    @Override
    public void init() {
        claimHeaders = GatewayListener.gateway(getServletContext()).auth().claimHeaders();
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        RequestContext ctx = RequestAttributes.context(req);
        Route r = ctx.route();
        AuthConfig.RouteAuth route = r.config().auth();
        Authenticator authenticator = ctx.runtime().authenticator();
        List<HeaderField> added = List.of();
        if (route.policy() != AuthConfig.Policy.NONE) {
            Authenticator.Decision outcome = authenticator.authenticate(route,
                    Collections.list(req.getHeaders(AUTHORIZATION)),
                    Collections.list(req.getHeaders(authenticator.apiKeyHeader())));
            if (outcome.retryAfter() != null) {
                long seconds = Math.max(1, (outcome.retryAfter().toMillis() + 999) / 1000);
                Problems.send(req, res, outcome.status(), title(outcome.status()), outcome.detail(), false,
                        HeaderNames.RETRY_AFTER, Long.toString(seconds));
                return;
            }
            if (!outcome.allowed()) {
                Problems.send(req, res, outcome.status(), title(outcome.status()), outcome.detail(), false,
                        WWW_AUTHENTICATE, outcome.challenge());
                return;
            }
            RequestAttributes.setPrincipal(req, outcome.identity().principal());
            added = authenticator.userContext().headers(outcome.identity());
            List<HeaderField> claims = claimHeaders.headers(r.name(), r.config().headers().claims(),
                    outcome.identity().claims());
            if (!claims.isEmpty()) {
                added = new ArrayList<>(added);
                added.addAll(claims);
            }
            RequestAttributes.setUserHeaders(req, added);
        }
        List<String> hidden = route.hideCredentials()
                ? List.of(AUTHORIZATION, authenticator.apiKeyHeader()) : List.of();
        chain.doFilter(UserContextRequest.of(req, authenticator.userContext(), r.claimHeaderNames(), hidden, added),
                res);
    }

    private static final String AUTHORIZATION = "Authorization";
    private static final String WWW_AUTHENTICATE = "WWW-Authenticate";

    private static String title(int status) {
        switch (status) {
            case 400: return "Bad Request";
            case 403: return "Forbidden";
            case 503: return "Service Unavailable";
            default: return "Unauthorized";
        }
    }
}
