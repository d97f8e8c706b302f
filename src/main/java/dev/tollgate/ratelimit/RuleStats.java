package dev.tollgate.ratelimit;

import dev.tollgate.config.RateLimitRule;
import dev.tollgate.observability.ManagementBeans;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongBiFunction;

/**
 * One rule's decision counts and its MXBean. The counts belong to the rule's name; its settings are those of the
 * configuration in force ({@link #update}), so a reloaded limit shows at once. Thread-safe.
 */
final class RuleStats implements RateLimiterMXBean {
    private volatile RateLimitRule rule;
    private final ToLongBiFunction<RateLimitRule, String> reset;
    final LongAdder allowed = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder fallbacks = new LongAdder();

    /** @param reset empties a rule's buckets of an identity and returns how many existed */
    RuleStats(RateLimitRule rule, ToLongBiFunction<RateLimitRule, String> reset) {
        this.rule = rule;
        this.reset = reset;
    }

    /** The rule as a reload redefined it (same name). */
    void update(RateLimitRule next) {
        rule = next;
    }

    @Override
    public String getAlgorithm() {
        return rule.algorithm().label();
    }

    @Override
    public int getLimit() {
        return rule.limit();
    }

    @Override
    public long getWindowSeconds() {
        return rule.window().toSeconds();
    }

    @Override
    public int getBurst() {
        return rule.burst();
    }

    @Override
    public String getKey() {
        return rule.key() == RateLimitRule.Key.HEADER ? "header:" + rule.header() : rule.key().label();
    }

    @Override
    public String getFailurePolicy() {
        return rule.failurePolicy().label();
    }

    @Override
    public boolean isReportOnly() {
        return rule.reportOnly();
    }

    @Override
    public long getAllowed() {
        return allowed.sum();
    }

    @Override
    public long getRejected() {
        return rejected.sum();
    }

    @Override
    public long getFallbacks() {
        return fallbacks.sum();
    }

    @Override
    public String resetKey(String key) {
        // the audit names the rule only: the identity may be a header value the log must not hold
        return ManagementBeans.audited("resetKey", "rule=" + rule.name(), () -> {
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException("a key is required");
            }
            return "emptied " + reset.applyAsLong(rule, key.trim()) + " bucket(s)";
        });
    }
}
