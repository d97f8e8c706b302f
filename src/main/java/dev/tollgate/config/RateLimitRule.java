package dev.tollgate.config;

import java.time.Duration;
import java.util.Set;

/**
 * One named rate-limit rule as configured under {@code gateway.rate-limit.rules.<name>.}.
 *
 * @param name the rule's name (headers, metrics, JMX)
 * @param algorithm how requests are counted
 * @param limit requests admitted per window; for the token bucket the sustained rate is limit per window
 * @param window the window (sliding window and its counter) or the refill period of {@code limit} tokens
 *     (token bucket)
 * @param burst the token bucket's capacity; equals {@code limit} for the other algorithms
 * @param key what the bucket is keyed by
 * @param header the header name when {@code key} is {@link Key#HEADER}, else null
 * @param failurePolicy what happens while Redis is unavailable
 * @param roles the rule applies only to principals with one of these roles (with {@code plans}: either)
 * @param plans the rule applies only to principals on one of these plans
 * @param reportOnly evaluate, count and send headers, but never reject
 */
public record RateLimitRule(String name, Algorithm algorithm, int limit, Duration window, int burst, Key key,
                            String header, FailurePolicy failurePolicy, Set<String> roles, Set<String> plans,
                            boolean reportOnly) {
    public RateLimitRule {
        roles = Set.copyOf(roles);
        plans = Set.copyOf(plans);
        if (limit < 1 || burst < 1 || window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("rule " + name + ": limit, burst and window must be positive");
        }
    }

    /** Whether the rule applies to everyone, not only to some roles or plans. */
    public boolean isUnconditional() {
        return roles.isEmpty() && plans.isEmpty();
    }

    /** The counting algorithm. */
    public enum Algorithm {
        SLIDING_WINDOW("sliding-window"), TOKEN_BUCKET("token-bucket"),
        SLIDING_WINDOW_COUNTER("sliding-window-counter");

        private final String label;

        Algorithm(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** Whether a {@code burst} applies: the token bucket only; the windows admit {@code limit} per window. */
        public boolean hasBurst() {
            return this == TOKEN_BUCKET;
        }
    }

    /** What a bucket is keyed by. */
    public enum Key {
        PRINCIPAL("principal"), API_KEY("api-key"), ROLE("role"), PLAN("plan"), IP("ip"), ROUTE("route"),
        HEADER("header");

        private final String label;

        Key(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The rule's behaviour while Redis is unavailable. */
    public enum FailurePolicy {
        FAIL_OPEN("fail-open"), FAIL_CLOSED("fail-closed"), LOCAL_FALLBACK("local-fallback");

        private final String label;

        FailurePolicy(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
