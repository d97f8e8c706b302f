package dev.tollgate.ratelimit;

/**
 * One rate-limit rule over JMX, as {@code tollgate:type=RateLimiter,name=<rule>}: its settings, its decisions
 * since start-up, and an audited operation to empty one caller's bucket.
 */
public interface RateLimiterMXBean {
    String getAlgorithm();

    int getLimit();

    long getWindowSeconds();

    int getBurst();

    String getKey();

    String getFailurePolicy();

    boolean isReportOnly();

    /** Requests this rule had room for. */
    long getAllowed();

    /** Requests this rule had no room for (for a report-only rule: would have rejected). */
    long getRejected();

    /** Requests decided by the failure policy while Redis was unavailable. */
    long getFallbacks();

    /**
     * Empties the rule's bucket of one identity, written as the rule keys it: a client address, a subject, an
     * API key name, a role, a plan, a route or a header value. Audited.
     *
     * @return what was done
     */
    String resetKey(String key);
}
