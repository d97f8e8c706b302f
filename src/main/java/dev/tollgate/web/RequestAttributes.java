package dev.tollgate.web;

import dev.tollgate.auth.Principal;
import dev.tollgate.http.HeaderField;
import dev.tollgate.route.Route;
import jakarta.servlet.ServletRequest;
import java.util.List;

/** The typed hand-off between filters: each value is set once and read by name, never re-parsed. */
public final class RequestAttributes {
    private static final String CONTEXT = RequestContext.class.getName();
    private static final String REQUEST_ID = CONTEXT + ".requestId";
    private static final String PRINCIPAL = Principal.class.getName();
    private static final String UPSTREAM = CONTEXT + ".upstream";
    private static final String SERVICE = CONTEXT + ".service";
    private static final String RATE_LIMIT = CONTEXT + ".rateLimit";
    private static final String BREAKER = CONTEXT + ".breaker";
    private static final String CACHE_HIT = CONTEXT + ".cacheHit";
    private static final String USER_HEADERS = CONTEXT + ".userHeaders";
    private static final String FINISH = CONTEXT + ".finish";

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

    /**
     * The service the request goes to: the route's one service, or on a split route the pick made once the
     * request reached the proxy; null before that on a split route.
     */
    public static String service(ServletRequest req, Route route) {
        if (route == null) {
            return null;
        }
        return route.isSplit() ? (String) req.getAttribute(SERVICE) : route.service();
    }

    static void setService(ServletRequest req, String service) {
        req.setAttribute(SERVICE, service);
    }

    /** The upstream instance the request was sent to (access log), e.g. {@code http://10.0.0.5:8080}; or null. */
    public static String upstream(ServletRequest req) {
        return (String) req.getAttribute(UPSTREAM);
    }

    static void setUpstream(ServletRequest req, String instance) {
        req.setAttribute(UPSTREAM, instance);
    }

    /** The rate limiter's outcome for the access log (e.g. {@code allowed}, {@code rejected}); null if none ran. */
    public static String rateLimit(ServletRequest req) {
        return (String) req.getAttribute(RATE_LIMIT);
    }

    static void setRateLimit(ServletRequest req, String outcome) {
        req.setAttribute(RATE_LIMIT, outcome);
    }

    /** The circuit breaker's outcome for the access log (e.g. {@code closed}, {@code open}); null if none ran. */
    public static String breaker(ServletRequest req) {
        return (String) req.getAttribute(BREAKER);
    }

    static void setBreaker(ServletRequest req, String outcome) {
        req.setAttribute(BREAKER, outcome);
    }

    /** Whether a cache answered (token cache, fallback response cache) for the access log; null if none asked. */
    public static Boolean cacheHit(ServletRequest req) {
        return (Boolean) req.getAttribute(CACHE_HIT);
    }

    static void setCacheHit(ServletRequest req, boolean hit) {
        req.setAttribute(CACHE_HIT, hit);
    }

    /** The user-context header fields the gateway sends upstream for the authenticated caller; empty if none. */
    @SuppressWarnings("unchecked")
    static List<HeaderField> userHeaders(ServletRequest req) {
        Object v = req.getAttribute(USER_HEADERS);
        return v == null ? List.of() : (List<HeaderField>) v;
    }

    static void setUserHeaders(ServletRequest req, List<HeaderField> headers) {
        req.setAttribute(USER_HEADERS, headers);
    }

    /** What to do once the request is over (metrics, access log, drain count): set by the first filter. */
    static void setFinish(ServletRequest req, Runnable finish) {
        req.setAttribute(FINISH, finish);
    }

    /** Runs the request's finish action, if it has one; the action itself runs only once. */
    static void finish(ServletRequest req) {
        Object v = req.getAttribute(FINISH);
        if (v != null) {
            ((Runnable) v).run();
        }
    }
}
