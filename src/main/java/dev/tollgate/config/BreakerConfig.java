package dev.tollgate.config;

import java.time.Duration;
import java.util.Set;

/**
 * The circuit breaker of one upstream service (MicroProfile Fault Tolerance semantics): it opens when at least
 * {@code failureRatio} of the last {@code requestVolumeThreshold} calls failed, stays open for {@code delay},
 * then lets {@code successThreshold} trial calls through and closes when they all succeed.
 *
 * @param requestVolumeThreshold size of the rolling window of calls
 * @param failureRatio share of failed calls in the window that opens the breaker (1.0: all of them)
 * @param delay how long the breaker stays open before the next trial
 * @param successThreshold successful trial calls that close it again
 * @param failureStatuses upstream statuses that count as failures (never a 4xx)
 */
public record BreakerConfig(int requestVolumeThreshold, double failureRatio, Duration delay, int successThreshold,
                            Set<Integer> failureStatuses) {
    public BreakerConfig {
        failureStatuses = Set.copyOf(failureStatuses);
    }
}
