package dev.tollgate.web;

import dev.tollgate.auth.UserContext;
import dev.tollgate.http.HeaderField;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The request as later filters and the proxy see it: client-sent user-context and claim headers removed (any
 * case, any repetition, {@code _} variants), credentials removed when the route hides them, and the gateway's
 * own user-context and claim headers added. Read-only view; one per request.
 */
final class UserContextRequest extends HttpServletRequestWrapper {
    private final UserContext userContext;
    private final Set<String> claimHeaders;
    private final Set<String> hidden;
    private final List<HeaderField> added;

    private UserContextRequest(HttpServletRequest req, UserContext userContext, Set<String> claimHeaders,
                               Set<String> hidden, List<HeaderField> added) {
        super(req);
        this.userContext = userContext;
        this.claimHeaders = claimHeaders;
        this.hidden = hidden;
        this.added = added;
    }

    /**
     * The request itself when nothing is to be removed or added (the common case on open routes).
     *
     * @param claimHeaders claim-header names of every route, normalized as {@link UserContext#normalize}
     */
    static HttpServletRequest of(HttpServletRequest req, UserContext userContext, Set<String> claimHeaders,
                                 List<String> hide, List<HeaderField> added) {
        Set<String> hidden = new HashSet<>();
        hide.forEach(h -> hidden.add(UserContext.normalize(h)));
        if (added.isEmpty()) {
            boolean any = false;
            for (Enumeration<String> names = req.getHeaderNames(); names.hasMoreElements() && !any; ) {
                String n = names.nextElement();
                any = removed(userContext, claimHeaders, hidden, n);
            }
            if (!any) {
                return req;
            }
        }
        return new UserContextRequest(req, userContext, claimHeaders, hidden, added);
    }

    private static boolean removed(UserContext userContext, Set<String> claimHeaders, Set<String> hidden,
                                   String name) {
        if (userContext.isUserContext(name)) {
            return true;
        }
        String n = UserContext.normalize(name);
        return claimHeaders.contains(n) || hidden.contains(n);
    }

    private boolean removed(String name) {
        return removed(userContext, claimHeaders, hidden, name);
    }

    private String addedValue(String name) {
        for (HeaderField h : added) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    @Override
    public String getHeader(String name) {
        String mine = addedValue(name);
        if (mine != null || removed(name)) {
            return mine;
        }
        return super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        String mine = addedValue(name);
        if (mine != null) {
            return Collections.enumeration(List.of(mine));
        }
        return removed(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        List<String> names = new ArrayList<>();
        for (Enumeration<String> e = super.getHeaderNames(); e.hasMoreElements(); ) {
            String n = e.nextElement();
            if (!removed(n)) {
                names.add(n);
            }
        }
        added.forEach(h -> names.add(h.name()));
        return Collections.enumeration(names);
    }

    @Override
    public int getIntHeader(String name) {
        return removed(name) && addedValue(name) == null ? -1 : super.getIntHeader(name);
    }

    @Override
    public long getDateHeader(String name) {
        return removed(name) ? -1 : super.getDateHeader(name);
    }
}
