package dev.tollgate.web;

import dev.tollgate.route.RequestFacts;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.List;

/** The servlet request's headers and raw query as route predicates and sticky splits read them. */
final class ServletFacts implements RequestFacts {
    private final HttpServletRequest req;

    ServletFacts(HttpServletRequest req) {
        this.req = req;
    }

    @Override
    public List<String> headers(String name) {
        return Collections.list(req.getHeaders(name));
    }

    @Override
    public String query() {
        return req.getQueryString();
    }
}
