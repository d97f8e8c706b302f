package dev.tollgate.ratelimit;

import dev.tollgate.ratelimit.Decision.RuleStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The response header fields of a decision.
 * <ul>
 *   <li>{@code RateLimit-Policy} and {@code RateLimit} as in draft-ietf-httpapi-ratelimit-headers-10
 *   (Structured Field lists, RFC 9651): one item per rule, the rule's name as a String with the parameters
 *   {@code q} (quota) and {@code w} (window, seconds) in the policy, {@code r} (remaining) and {@code t}
 *   (seconds until reset) in the service limit, e.g. {@code "per-second";q=10;w=1} and
 *   {@code "per-second";r=9;t=1};</li>
 *   <li>{@code X-RateLimit-Limit}, {@code -Remaining} and {@code -Reset} (seconds) for clients written against
 *   the older de-facto fields, reporting the rule with the fewest units left.</li>
 * </ul>
 * Stateless.
 */
public final class RateLimitHeaders {
    public static final String POLICY = "RateLimit-Policy";
    public static final String RATE_LIMIT = "RateLimit";
    public static final String X_LIMIT = "X-RateLimit-Limit";
    public static final String X_REMAINING = "X-RateLimit-Remaining";
    public static final String X_RESET = "X-RateLimit-Reset";

    private RateLimitHeaders() {
    }

    /** The header fields in order, none when no rule applied. */
    public static Map<String, String> of(Decision decision) {
        Map<String, String> out = new LinkedHashMap<>();
        if (decision.rules().isEmpty()) {
            return out;
        }
        StringBuilder policy = new StringBuilder();
        StringBuilder limit = new StringBuilder();
        RuleStatus tightest = null;
        for (RuleStatus r : decision.rules()) {
            if (policy.length() > 0) {
                policy.append(", ");
                limit.append(", ");
            }
            // rule names are lower-case letters, digits and '-': nothing to escape in an sf-string
            policy.append('"').append(r.rule()).append("\";q=").append(r.quota()).append(";w=")
                    .append(r.windowSeconds());
            limit.append('"').append(r.rule()).append("\";r=").append(r.remaining()).append(";t=")
                    .append(r.resetSeconds());
            if (tightest == null || r.remaining() < tightest.remaining()) {
                tightest = r;
            }
        }
        out.put(POLICY, policy.toString());
        out.put(RATE_LIMIT, limit.toString());
        out.put(X_LIMIT, Long.toString(tightest.quota()));
        out.put(X_REMAINING, Long.toString(tightest.remaining()));
        out.put(X_RESET, Long.toString(tightest.resetSeconds()));
        return out;
    }
}
