package dev.tollgate.config;

import java.time.Duration;
import java.util.Set;

/**
 * Retries of one upstream service: which methods, how often, how long to back off, and the budget that keeps
 * retries a bounded share of the traffic.
 *
 * @param methods idempotent methods that may be retried (never POST or PATCH)
 * @param maxRetries retries after the first attempt
 * @param backoff base of the exponential backoff; each wait is a random time up to the current step
 * @param maxBackoff cap of one backoff step
 * @param maxBufferedBody a request body up to this size (known length) is buffered so it can be sent again
 * @param budgetRatio retries may be at most this share of the requests in the window
 * @param budgetMinRetries retries always allowed per window, so that a quiet service can still retry
 * @param budgetWindow the sliding window the budget is counted over
 */
public record RetryConfig(Set<String> methods, int maxRetries, Duration backoff, Duration maxBackoff,
                          long maxBufferedBody, double budgetRatio, int budgetMinRetries, Duration budgetWindow) {
    public RetryConfig {
        methods = Set.copyOf(methods);
    }
}
