package dev.tollgate.config;

/**
 * How the gateway protects itself from one upstream service and the service from the gateway.
 *
 * @param breaker the circuit breaker
 * @param maxConcurrent the bulkhead: most requests to the service in flight at once (503 beyond)
 * @param retry retries of idempotent requests
 * @param enabled whether the guard (bulkhead, breaker, retries, stale-if-error) is on; off, requests go straight
 *                to forwarding and the other settings are not used
 */
public record ResilienceConfig(BreakerConfig breaker, int maxConcurrent, RetryConfig retry, boolean enabled) {
}
