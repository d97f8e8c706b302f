package dev.tollgate.resilience;

import dev.tollgate.config.RetryConfig;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** The guard that does nothing: every request admitted, every attempt run, none retried. Stateless. */
final class Unguarded implements UpstreamGuard {
    private static final RetryPolicy NO_RETRIES = new RetryPolicy(
            new RetryConfig(Set.of(), 0, Duration.ZERO, Duration.ZERO, 0, 0, 0, Duration.ofSeconds(1)));

    @Override
    public boolean tryEnter() {
        return true;
    }

    @Override
    public void exit() {
        // no bulkhead
    }

    @Override
    public void recordRequest() {
        // no retry budget
    }

    @Override
    public RetryPolicy retryPolicy() {
        return NO_RETRIES;
    }

    @Override
    public boolean tryRetry() {
        return false;
    }

    @Override
    public Set<Integer> failureStatuses() {
        return Set.of();
    }

    @Override
    public <T> CompletionStage<T> attempt(Supplier<CompletionStage<T>> call, Predicate<T> unhealthy) {
        return call.get();
    }
}
