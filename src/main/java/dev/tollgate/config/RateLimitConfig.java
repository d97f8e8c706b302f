package dev.tollgate.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Rate limiting, under {@code gateway.rate-limit.}: where the counters live, the named rules, and which rules
 * each route applies.
 *
 * @param redis counters in the shared Redis ({@code policy = redis}), or in process ({@code local})
 * @param instances gateway instances sharing the limits, for the local share while Redis is unavailable;
 *     0: discovered through Redis heartbeats
 * @param heartbeatInterval how often an instance announces itself in Redis (instance discovery)
 * @param rules the rules by name
 * @param routes each limited route's rule names, in configured order
 * @param batchSize most requests one script call serves (1: a call per request)
 * @param batchesInFlight most script calls on the wire at once per instance
 * @param prefetch most units one script call takes ahead for a busy client, handed out without a round trip
 *     (0: none)
 * @param prefetchTime how long an instance may hand out prefetched units
 */
public record RateLimitConfig(boolean redis, int instances, Duration heartbeatInterval,
                              Map<String, RateLimitRule> rules, Map<String, List<String>> routes,
                              int batchSize, int batchesInFlight, int prefetch, Duration prefetchTime) {
    public RateLimitConfig {
        rules = Map.copyOf(rules);
        routes = Map.copyOf(routes);
    }
}
