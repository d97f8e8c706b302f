package dev.tollgate.resilience;

import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What protects the calls to one upstream service: a bulkhead around each whole request, a circuit breaker
 * around each attempt, and the retry policy with its budget. A service whose guard is off gets {@link #NONE},
 * which admits everything and never retries, so that the proxy has one code path. Thread-safe.
 */
public interface UpstreamGuard {
    /** The guard of a service with {@code resilience.enabled = false}: no bulkhead, breaker or retries. */
    UpstreamGuard NONE = new Unguarded();

    /** Takes a place in the bulkhead; false (counted) when it is full. Each place taken is given back by {@link #exit()}. */
    boolean tryEnter();

    void exit();

    /** Counts a request to this service for the retry budget. */
    void recordRequest();

    RetryPolicy retryPolicy();

    /** Takes a retry from the budget; false when the budget is spent. */
    boolean tryRetry();

    /** The response statuses that count as the upstream failing (retryable, and failures for the breaker). */
    Set<Integer> failureStatuses();

    /**
     * Runs one attempt through the breaker. A result for which {@code unhealthy} holds counts as a failure but is
     * still the stage's value; an exception counts when it is the upstream's fault. While the breaker is open the
     * attempt is not started and the stage fails with {@link BreakerOpenException}.
     */
    <T> CompletionStage<T> attempt(Supplier<CompletionStage<T>> call, Predicate<T> unhealthy);
}
