package dev.tollgate.ratelimit;

import java.util.List;

/**
 * The answer for one request.
 *
 * @param verdict admit, reject (429) or unavailable (503: Redis is down and a rule fails closed)
 * @param retryAfterSeconds when not admitted: seconds until a retry can succeed (at least 1)
 * @param rules the state of every rule evaluated, for the response headers, in configured order
 */
public record Decision(Verdict verdict, long retryAfterSeconds, List<RuleStatus> rules) {
    /** No rule applies. */
    public static final Decision NONE = new Decision(Verdict.ALLOW, 0, List.of());

    public Decision {
        rules = List.copyOf(rules);
    }

    public boolean isAllowed() {
        return verdict == Verdict.ALLOW;
    }

    /** What the gateway does with the request. */
    public enum Verdict {
        ALLOW, REJECT, UNAVAILABLE
    }

    /**
     * One rule's quota as the headers report it.
     *
     * @param rule the rule's name
     * @param quota the quota: the limit, or the token bucket's burst
     * @param windowSeconds the window: the sliding window, or the time the token bucket takes to fill up
     * @param remaining units left
     * @param resetSeconds seconds until the quota is restored (see {@link BucketAnswer#resetMicros()})
     */
    public record RuleStatus(String rule, long quota, long windowSeconds, long remaining, long resetSeconds) {
    }
}
