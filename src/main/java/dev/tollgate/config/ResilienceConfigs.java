package dev.tollgate.config;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parses the resilience settings: global defaults under {@code gateway.resilience.}, overridden per service
 * under {@code gateway.services.<name>.} with the same key (e.g. {@code gateway.services.orders.breaker.delay}),
 * except the switch {@code gateway.resilience.enabled}, which a service overrides as
 * {@code gateway.services.<name>.resilience.enabled} (like {@code passive-health.*}); the stale-if-error cache,
 * and the per-route opt-in.
 */
final class ResilienceConfigs {
    static final String GLOBAL = "gateway.resilience.";
    private static final Set<String> NEVER_RETRIED = Set.of("POST", "PATCH", "CONNECT");

    private ResilienceConfigs() {
    }

    /** The global settings every service starts from. */
    static ResilienceConfig defaults(Settings s) {
        String p = GLOBAL;
        BreakerConfig breaker = new BreakerConfig(
                s.integer(p + "breaker.request-volume-threshold", 1, 10_000),
                ratio(s, p + "breaker.failure-ratio", null),
                s.positiveDuration(p + "breaker.delay"),
                s.integer(p + "breaker.success-threshold", 1, 10_000),
                statuses(s, p + "breaker.failure-statuses", null));
        RetryConfig retry = new RetryConfig(
                methods(s, p + "retry.methods", null),
                s.integer(p + "retry.max-retries", 0, 10),
                s.positiveDuration(p + "retry.backoff"), s.positiveDuration(p + "retry.max-backoff"),
                s.size(p + "retry.max-buffered-body"),
                ratio(s, p + "retry.budget-ratio", null),
                s.integer(p + "retry.budget-min-retries", 0, 1_000_000),
                s.positiveDuration(p + "retry.budget-window"));
        ResilienceConfig global = new ResilienceConfig(breaker, s.integer(p + "bulkhead.max-concurrent", 1, 100_000),
                retry, s.bool(p + "enabled"));
        return checked(s, p, global);
    }

    /** One service's settings: its own keys where set, else the global defaults. */
    static ResilienceConfig service(Settings s, String prefix, ResilienceConfig defaults) {
        return checked(s, prefix, read(s, prefix, s.bool(prefix + "resilience.enabled", defaults.enabled()), defaults));
    }

    /** A route may keep responses for stale-if-error only when its service's guard is on (nothing would serve them). */
    static void check(Settings s, Map<String, ServiceConfig> services, List<RouteConfig> routes) {
        for (RouteConfig r : routes) {
            for (String name : r.target().services()) {
                ServiceConfig service = services.get(name);
                if (r.staleIfError().enabled() && service != null && !service.resilience().enabled()) {
                    s.problem("gateway.routes." + r.name() + ".stale-if-error", "true", "false while service "
                            + service.name() + " has its guard off (resilience.enabled = false)");
                }
            }
        }
    }

    static StaleCacheConfig staleCache(Settings s) {
        String p = GLOBAL + "stale-cache.";
        return new StaleCacheConfig(
                s.integer(p + "max-entries", 0, 10_000_000),
                s.size(p + "max-bytes"),
                s.size(p + "max-entry-size"),
                s.positiveDuration(p + "max-stale"));
    }

    private static ResilienceConfig read(Settings s, String p, boolean enabled, ResilienceConfig d) {
        BreakerConfig db = d.breaker();
        BreakerConfig breaker = new BreakerConfig(
                s.integer(p + "breaker.request-volume-threshold", db.requestVolumeThreshold(), 1, 10_000),
                ratio(s, p + "breaker.failure-ratio", db.failureRatio()),
                s.positiveDuration(p + "breaker.delay", db.delay()),
                s.integer(p + "breaker.success-threshold", db.successThreshold(), 1, 10_000),
                statuses(s, p + "breaker.failure-statuses", db.failureStatuses()));
        RetryConfig dr = d.retry();
        RetryConfig retry = new RetryConfig(
                methods(s, p + "retry.methods", dr.methods()),
                s.integer(p + "retry.max-retries", dr.maxRetries(), 0, 10),
                s.positiveDuration(p + "retry.backoff", dr.backoff()),
                s.positiveDuration(p + "retry.max-backoff", dr.maxBackoff()),
                s.size(p + "retry.max-buffered-body", dr.maxBufferedBody()),
                ratio(s, p + "retry.budget-ratio", dr.budgetRatio()),
                s.integer(p + "retry.budget-min-retries", dr.budgetMinRetries(), 0, 1_000_000),
                s.positiveDuration(p + "retry.budget-window", dr.budgetWindow()));
        int maxConcurrent = s.integer(p + "bulkhead.max-concurrent", d.maxConcurrent(), 1, 100_000);
        return new ResilienceConfig(breaker, maxConcurrent, retry, enabled);
    }

    /** Checks what needs two settings together. */
    private static ResilienceConfig checked(Settings s, String p, ResilienceConfig c) {
        if (c.breaker().failureRatio() == 0) {
            s.problem(p + "breaker.failure-ratio", "0", "a ratio above 0 (0 would open on the first call)");
        }
        if (c.retry().maxBackoff().compareTo(c.retry().backoff()) < 0) {
            s.problem(p + "retry.max-backoff", c.retry().maxBackoff().toMillis() + "ms", "at least retry.backoff");
        }
        return c;
    }

    /** The ratio under {@code key}, else (absent or blank) the one it inherits, else (null) its default. */
    private static double ratio(Settings s, String key, Double inherited) {
        double fallback = inherited != null ? inherited : new BigDecimal(s.defaultValue(key)).doubleValue();
        String v = s.string(key);
        if (v == null) {
            return fallback;
        }
        try {
            BigDecimal d = new BigDecimal(v);
            if (d.signum() >= 0 && d.compareTo(BigDecimal.ONE) <= 0) {
                return d.doubleValue();
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        s.problem(key, v, "a ratio from 0 to 1 (e.g. 0.2)");
        return fallback;
    }

    /** The statuses under {@code key}, else (absent or blank) those it inherits, else (null) its default. */
    private static Set<Integer> statuses(Settings s, String key, Set<Integer> inherited) {
        if (s.string(key) == null && inherited != null) {
            return inherited;
        }
        Set<Integer> out = new TreeSet<>();
        for (String v : s.string(key) == null ? ValueSyntax.split(s.defaultValue(key)) : s.list(key)) {
            try {
                int status = Integer.parseInt(v);
                if (status >= 500 && status <= 599) {
                    out.add(status);
                    continue;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            s.problem(key, v, "5xx statuses (a 4xx is the client's fault and never opens a breaker)");
        }
        return out;
    }

    /** The methods under {@code key}, else (absent or blank) those it inherits, else (null) its default. */
    private static Set<String> methods(Settings s, String key, Set<String> inherited) {
        if (s.string(key) == null && inherited != null) {
            return inherited;
        }
        Set<String> out = new TreeSet<>();
        for (String v : s.string(key) == null ? ValueSyntax.split(s.defaultValue(key)) : s.list(key)) {
            String m = v.toUpperCase(Locale.ROOT);
            if (NEVER_RETRIED.contains(m) || !m.matches("[A-Z]+")) {
                s.problem(key, v, "idempotent method names (POST and PATCH are never retried)");
            } else {
                out.add(m);
            }
        }
        return out;
    }
}
