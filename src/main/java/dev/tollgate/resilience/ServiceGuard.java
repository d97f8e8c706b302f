package dev.tollgate.resilience;

import dev.tollgate.config.ResilienceConfig;
import dev.tollgate.observability.ManagementBeans;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protection of one upstream service, built once at start-up: a bulkhead (a permit count) around each whole
 * request (retries and body streaming included) and a SmallRye circuit breaker around each attempt, in its
 * non-blocking {@code CompletionStage} form: no thread waits in it, and no thread is offloaded to. There is
 * no SmallRye timeout: the route's connect and response timeouts are the only ones, and a timed-out attempt
 * is a failure like any other. Operators can force the breaker open or closed, or reset it, over JMX.
 * Thread-safe.
 */
public final class ServiceGuard implements UpstreamGuard, BreakerMXBean {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceGuard.class);

    private enum Forced { NONE, OPEN, CLOSED }

    /** A SmallRye breaker and its generation: {@link #reset()} replaces it with a fresh one. */
    private record Breaker(Guard guard, int generation) {
    }

    /**
     * The result type that makes a SmallRye guard asynchronous: the Class overload, since the TypeLiteral one
     * needs the CDI API, which a plain servlet container does not have.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final Class<CompletionStage<Object>> ASYNC = (Class) CompletionStage.class;

    /** Carries a response whose status counts as a failure out of the guarded call, so the breaker sees it. */
    private static final class Unhealthy extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Object value;

        Unhealthy(Object value) {
            super(null, null, false, false);
            this.value = value;
        }
    }

    private final String service;
    private final ResilienceConfig config;
    private final Clock clock;
    private final Predicate<Throwable> upstreamFault;
    private final AtomicReference<Breaker> breaker = new AtomicReference<>();
    private final AtomicReference<Forced> forced = new AtomicReference<>(Forced.NONE);
    private final RetryPolicy retryPolicy;
    private final RetryBudget retryBudget;
    private volatile CircuitBreakerState state = CircuitBreakerState.CLOSED;
    private volatile long openedAtMillis;
    private final AtomicLong successes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong prevented = new AtomicLong();
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
        this.clock = clock;
        this.upstreamFault = upstreamFault;
        this.breaker.set(newBreaker(1));
        this.retryPolicy = new RetryPolicy(config.retry());
        this.retryBudget = new RetryBudget(config.retry().budgetRatio(), config.retry().budgetMinRetries(),
                config.retry().budgetWindow(), clock);
    }

    private Breaker newBreaker(int generation) {
        Guard guard = Guard.create()
                .withDescription("tollgate breaker " + service)
                .withCircuitBreaker()
                    .requestVolumeThreshold(config.breaker().requestVolumeThreshold())
                    .failureRatio(config.breaker().failureRatio())
                    .delay(config.breaker().delay().toMillis(), ChronoUnit.MILLIS)
                    .successThreshold(config.breaker().successThreshold())
                    .when(t -> t instanceof Unhealthy || upstreamFault.test(t))
                    .onStateChange(s -> changed(generation, s))
                    .onSuccess(successes::incrementAndGet)
                    .onFailure(failures::incrementAndGet)
                    .onPrevented(prevented::incrementAndGet)
                    .done()
                .withThreadOffload(false)
                .build();
        return new Breaker(guard, generation);
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
        Forced f = forced.get();
        if (f == Forced.OPEN) {
            prevented.incrementAndGet();
            return CompletableFuture.failedFuture(new BreakerOpenException(service, retryAfterSeconds()));
        }
        if (f == Forced.CLOSED) {
            return call.get();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        CompletionStage<Object> guarded;
        try {
            guarded = breaker.get().guard().call(() -> {
                CompletableFuture<Object> judged = new CompletableFuture<>();
                call.get().whenComplete((v, e) -> {
                    if (e != null) {
                        judged.completeExceptionally(unwrap(e));
                    } else if (unhealthy.test(v)) {
                        judged.completeExceptionally(new Unhealthy(v));
                    } else {
                        judged.complete(v);
                    }
                });
                return judged;
            }, ASYNC);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
        guarded.whenComplete((v, e) -> {
            Throwable t = e == null ? null : unwrap(e);
            if (t == null) {
                result.complete(cast(v));
            } else if (t instanceof Unhealthy) {
                result.complete(cast(((Unhealthy) t).value));
            } else if (t instanceof CircuitBreakerOpenException) {
                result.completeExceptionally(new BreakerOpenException(service, retryAfterSeconds()));
            } else {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object v) {
        return (T) v;
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private void changed(int generation, CircuitBreakerState next) {
        if (breaker.get() != null && breaker.get().generation() != generation) {
            return; // a transition of a breaker replaced by reset()
        }
        if (next == CircuitBreakerState.OPEN) {
            openedAtMillis = clock.millis();
            LOG.warn("service={} circuit breaker opened; next trial in {} ms", service,
                    config.breaker().delay().toMillis());
        } else {
            LOG.info("service={} circuit breaker {}", service, next == CircuitBreakerState.CLOSED ? "closed" : "half-open");
        }
        state = next;
    }

    /** Seconds a client should wait before trying again: until the next trial while open, else 1. */
    long retryAfterSeconds() {
        if (forced.get() == Forced.OPEN) {
            return Math.max(1, config.breaker().delay().toSeconds());
        }
        if (state != CircuitBreakerState.OPEN) {
            return 1;
        }
        return Math.max(1, secondsUntil(openedAtMillis + config.breaker().delay().toMillis(), clock.millis()));
    }

    /** Whole seconds from {@code now} until {@code when}, rounded up; 0 when it has passed. */
    static long secondsUntil(long whenMillis, long nowMillis) {
        long left = whenMillis - nowMillis;
        return left <= 0 ? 0 : (left + 999) / 1000;
    }

    /** 0 closed, 1 open, 2 half-open, 3 forced open, 4 forced closed (the state gauge). */
    public int stateCode() {
        switch (forced.get()) {
            case OPEN: return 3;
            case CLOSED: return 4;
            default: return state == CircuitBreakerState.CLOSED ? 0 : state == CircuitBreakerState.OPEN ? 1 : 2;
        }
    }

    @Override
    public String getState() {
        switch (forced.get()) {
            case OPEN: return "FORCED_OPEN";
            case CLOSED: return "FORCED_CLOSED";
            default: return state.name();
        }
    }

    @Override
    public long getSecondsUntilTrial() {
        if (forced.get() != Forced.NONE || state != CircuitBreakerState.OPEN) {
            return 0;
        }
        return secondsUntil(openedAtMillis + config.breaker().delay().toMillis(), clock.millis());
    }

    @Override
    public long getSuccesses() {
        return successes.get();
    }

    @Override
    public long getFailures() {
        return failures.get();
    }

    @Override
    public long getPrevented() {
        return prevented.get();
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
        return ManagementBeans.audited("forceOpen", "breaker " + service, () -> force(Forced.OPEN));
    }

    @Override
    public String forceClosed() {
        return ManagementBeans.audited("forceClosed", "breaker " + service, () -> force(Forced.CLOSED));
    }

    @Override
    public String reset() {
        return ManagementBeans.audited("reset", "breaker " + service, () -> {
            synchronized (breaker) {
                breaker.set(newBreaker(breaker.get().generation() + 1));
                state = CircuitBreakerState.CLOSED;
                forced.set(Forced.NONE);
            }
            LOG.info("service={} circuit breaker reset", service);
            return getState();
        });
    }

    private String force(Forced to) {
        forced.set(to);
        LOG.warn("service={} circuit breaker {}", service, to == Forced.OPEN ? "forced open" : "forced closed");
        return getState();
    }
}
