package dev.tollgate.resilience;

import dev.tollgate.config.ResilienceConfig;
import dev.tollgate.observability.ManagementBeans;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The protection of one upstream service, built once at start-up: a bulkhead (a permit count) around each whole
 * request (retries and body streaming included), a {@link CircuitBreaker} around each attempt, and the retry
 * budget. There is no SmallRye timeout: the route's connect and response timeouts are the only ones, and a
 * timed-out attempt is a failure like any other. Its MXBean face lets operators force the breaker open or
 * closed, or reset it. Thread-safe.
 */
public final class ServiceGuard implements UpstreamGuard, BreakerMXBean {
    private final String service;
    private final ResilienceConfig config;
    private final CircuitBreaker breaker;
    private final RetryPolicy retryPolicy;
    private final RetryBudget retryBudget;
    private final AtomicLong rejections = new AtomicLong();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong budgetExhausted = new AtomicLong();

    /**
     * @param upstreamFault which exceptions of an attempt are the upstream's fault (the rest, e.g. a client's
     *                      broken request body, do not count against the service)
     */
    public ServiceGuard(String service, ResilienceConfig config, Clock clock, Predicate<Throwable> upstreamFault) {
        this.service = service;
        this.config = config;
        this.breaker = new CircuitBreaker(service, config.breaker(), clock, upstreamFault);
        this.retryPolicy = new RetryPolicy(config.retry());
        this.retryBudget = new RetryBudget(config.retry().budgetRatio(), config.retry().budgetMinRetries(),
                config.retry().budgetWindow(), clock);
    }

    public String service() {
        return service;
    }

    public ResilienceConfig config() {
        return config;
    }

    @Override
    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    @Override
    public void recordRequest() {
        retryBudget.recordRequest();
    }

    @Override
    public boolean tryRetry() {
        if (retryBudget.tryAcquireRetry()) {
            retries.incrementAndGet();
            return true;
        }
        budgetExhausted.incrementAndGet();
        return false;
    }

    AtomicLong retries() {
        return retries;
    }

    AtomicLong budgetExhausted() {
        return budgetExhausted;
    }

    @Override
    public Set<Integer> failureStatuses() {
        return config.breaker().failureStatuses();
    }

    /**
     * Takes a place for one whole request (retries and body streaming included). A full bulkhead refuses at once:
     * a gateway must not park requests in a queue in front of a service that is already saturated, and SmallRye's
     * bulkhead for asynchronous calls always queues.
     */
    @Override
    public boolean tryEnter() {
        int limit = config.maxConcurrent();
        for (int n = active.get(); n < limit; n = active.get()) {
            if (active.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        rejections.incrementAndGet();
        return false;
    }

    @Override
    public void exit() {
        active.decrementAndGet();
    }

    @Override
    public <T> CompletionStage<T> attempt(Supplier<CompletionStage<T>> call, Predicate<T> unhealthy) {
        return breaker.attempt(call, unhealthy);
    }

    /** Seconds a client should wait before trying again: until the next trial while open, else 1. */
    long retryAfterSeconds() {
        return breaker.retryAfterSeconds();
    }

    /** 0 closed, 1 open, 2 half-open, 3 forced open, 4 forced closed (the state gauge). */
    public int stateCode() {
        return breaker.stateCode();
    }

    @Override
    public String getState() {
        return breaker.state();
    }

    @Override
    public long getSecondsUntilTrial() {
        return breaker.secondsUntilTrial();
    }

    @Override
    public long getSuccesses() {
        return breaker.successes();
    }

    @Override
    public long getFailures() {
        return breaker.failures();
    }

    @Override
    public long getPrevented() {
        return breaker.prevented();
    }

    @Override
    public int getActiveRequests() {
        return active.get();
    }

    @Override
    public long getBulkheadRejections() {
        return rejections.get();
    }

    @Override
    public String forceOpen() {
        return ManagementBeans.audited("forceOpen", "breaker " + service, breaker::forceOpen);
    }

    @Override
    public String forceClosed() {
        return ManagementBeans.audited("forceClosed", "breaker " + service, breaker::forceClosed);
    }

    @Override
    public String reset() {
        return ManagementBeans.audited("reset", "breaker " + service, breaker::reset);
    }
}
