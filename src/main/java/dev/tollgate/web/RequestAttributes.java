package dev.tollgate.web;

import dev.tollgate.auth.Principal;
import jakarta.servlet.ServletRequest;

/** The typed hand-off between filters: each value is set once and read by name, never re-parsed. */
public final class RequestAttributes {
    private static final String CONTEXT = RequestContext.class.getName();
    private static final String REQUEST_ID = CONTEXT + ".requestId";
    private static final String PRINCIPAL = Principal.class.getName();

    private RequestAttributes() {
    }

    public static RequestContext context(ServletRequest req) {
        return (RequestContext) req.getAttribute(CONTEXT);
    }

    static void setContext(ServletRequest req, RequestContext ctx) {
        req.setAttribute(CONTEXT, ctx);
    }

    /** The request id, known before the rest of the context (problems carry it). */
    public static String requestId(ServletRequest req) {
        return (String) req.getAttribute(REQUEST_ID);
    }

    static void setRequestId(ServletRequest req, String id) {
        req.setAttribute(REQUEST_ID, id);
    }

    /** Who made the request, once authentication has run; null for an anonymous request. */
    public static Principal principal(ServletRequest req) {
        return (Principal) req.getAttribute(PRINCIPAL);
    }

    static void setPrincipal(ServletRequest req, Principal principal) {
        req.setAttribute(PRINCIPAL, principal);
    }
}
