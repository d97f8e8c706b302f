package dev.tollgate.config;

import dev.tollgate.config.RateLimitRule.Algorithm;
import dev.tollgate.config.RateLimitRule.FailurePolicy;
import dev.tollgate.config.RateLimitRule.Key;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Parses and validates the {@code gateway.rate-limit.*} section and the routes' {@code rate-limit} lists. */
final class RateLimitConfigs {
    static final String PREFIX = "gateway.rate-limit.";
    /** The sliding window keeps one entry per admitted request (see docs/rate-limiting.md). */
    static final int MAX_SLIDING_LIMIT = 100_000;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private RateLimitConfigs() {
    }

    static RateLimitConfig parse(Settings s, RedisConfig redisConfig, List<RouteConfig> routes) {
        Policy policy = s.choice(PREFIX + "policy", Policy.values(), Policy::label);
        boolean redis = policy == Policy.REDIS;
        if (redis && !redisConfig.isConfigured()) {
            s.problem(PREFIX + "policy", policy.label(), "local, or gateway.redis.uri set for the policy redis");
        }
        int instances = s.integer(PREFIX + "instances", 0, 10_000);
        Duration heartbeat = s.positiveDuration(PREFIX + "heartbeat-interval");
        int batchSize = s.integer(PREFIX + "batch-size", 1, 1024);
        int batchesInFlight = s.integer(PREFIX + "batches-in-flight", 1, 256);
        int prefetch = s.integer(PREFIX + "prefetch", 0, 1024);
        Duration prefetchTime = s.positiveDuration(PREFIX + "prefetch-time");
        Map<String, RateLimitRule> rules = new TreeMap<>();
        Set<String> configured = s.names(PREFIX + "rules.");
        for (String name : configured) {
            RateLimitRule rule = rule(s, name);
            if (rule != null) {
                rules.put(name, rule);
            }
        }
        Map<String, List<String>> byRoute = new TreeMap<>();
        for (RouteConfig route : routes) {
            String key = "gateway.routes." + route.name() + ".rate-limit";
            Set<String> names = new LinkedHashSet<>();
            for (String r : s.list(key)) {
                if (!configured.contains(r)) {
                    s.problem(key, r, "names of rules configured under gateway.rate-limit.rules " + configured);
                } else if (!names.add(r)) {
                    s.problem(key, r, "each rule at most once");
                }
            }
            names.retainAll(rules.keySet()); // an invalid rule is reported already
            if (!names.isEmpty()) {
                byRoute.put(route.name(), List.copyOf(names));
            }
            if (redis && redisConfig.cluster()) {
                oneSlot(s, key, names, rules);
            }
        }
        return new RateLimitConfig(redis, instances, heartbeat, rules, byRoute, batchSize, batchesInFlight, prefetch,
                prefetchTime);
    }

    /**
     * In a Redis Cluster the buckets of one request must share a hash slot, since one script call takes from all
     * of them atomically (a request rejected by one rule takes nothing from the others); the slot is the hash
     * tag of the identity (see BucketKeys), so the route's rules must key on the same identity.
     */
    private static void oneSlot(Settings s, String key, Set<String> names, Map<String, RateLimitRule> rules) {
        Map<String, String> identities = new TreeMap<>();
        for (String name : names) {
            RateLimitRule r = rules.get(name);
            String identity = switch (r.key()) {
                case HEADER -> "header:" + r.header().toLowerCase(Locale.ROOT);
                case ROLE -> "role" + new TreeSet<>(r.roles());
                default -> r.key().label();
            };
            identities.putIfAbsent(identity, name);
        }
        if (identities.size() > 1) {
            s.problem(key, String.join(", ", names), "rules keyed by the same identity (and for key = role, the same"
                    + " roles) with gateway.redis.cluster = true: one request's buckets must share a cluster slot;"
                    + " here " + identities);
        }
    }

    private static RateLimitRule rule(Settings s, String name) {
        String p = PREFIX + "rules." + name + ".";
        boolean ok = true;
        if (!NAME.matcher(name).matches()) {
            s.problem(PREFIX + "rules." + name, name, "a rule name of lower-case letters, digits and -");
            ok = false;
        }
        Algorithm algorithm = s.choice(p + "algorithm", Algorithm.values(), Algorithm::label);
        Integer limit = limit(s, p, algorithm);
        Duration window = s.positiveDuration(p + "window", null);
        if (window == null && s.string(p + "window") == null) {
            s.problem(p + "window", null, "a duration (e.g. 1s, 1m, 1h)");
        }
        Integer burst = s.optionalInteger(p + "burst", 1, 1_000_000_000);
        if (burst != null && algorithm != null && !algorithm.hasBurst()) {
            s.problem(p + "burst", String.valueOf(burst), "no burst: it applies to algorithm token-bucket only");
        }
        String keyValue = s.text(p + "key");
        Key key = key(keyValue);
        String header = key == Key.HEADER ? keyValue.substring("header:".length()).trim() : null;
        if (key == null || key == Key.HEADER && !TOKEN.matcher(header).matches()) {
            s.problem(p + "key", keyValue, key == null ? "principal, api-key, role, plan, ip, route or header:<name>"
                    : "header:<a header name>");
            ok = false;
        }
        FailurePolicy failure = s.choice(p + "failure-policy", FailurePolicy.values(), FailurePolicy::label);
        List<String> roles = s.list(p + "roles");
        List<String> plans = s.list(p + "plans");
        boolean reportOnly = s.bool(p + "report-only");
        if (!ok || limit == null || window == null || algorithm == null || failure == null) {
            return null;
        }
        return new RateLimitRule(name, algorithm, limit, window, burst == null ? limit : burst, key, header, failure,
                new LinkedHashSet<>(roles), new LinkedHashSet<>(plans), reportOnly);
    }

    /** The rule's limit, or null when it is missing or invalid (reported). */
    private static Integer limit(Settings s, String p, Algorithm algorithm) {
        Integer limit = s.optionalInteger(p + "limit", 1, 1_000_000_000);
        if (limit == null && s.string(p + "limit") == null) {
            s.problem(p + "limit", null, "the number of requests admitted per window");
        } else if (limit != null && algorithm == Algorithm.SLIDING_WINDOW && limit > MAX_SLIDING_LIMIT) {
            s.problem(p + "limit", String.valueOf(limit), "at most " + MAX_SLIDING_LIMIT
                    + " for the sliding window (it stores one entry per request); use sliding-window-counter or"
                    + " token-bucket for more");
            return null;
        }
        return limit;
    }

    /** What {@code key = <value>} keys buckets by: {@code header:<name>} or a label; null when neither. */
    private static Key key(String value) {
        if (value.startsWith("header:")) {
            return Key.HEADER;
        }
        for (Key k : Key.values()) {
            if (k != Key.HEADER && k.label().equals(value)) {
                return k;
            }
        }
        return null;
    }

    /** Where the buckets live ({@code gateway.rate-limit.policy}). */
    private enum Policy {
        LOCAL("local"), REDIS("redis");

        private final String label;

        Policy(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }
}
