package dev.tollgate.resilience;

import dev.tollgate.config.ResilienceConfig;
import dev.tollgate.observability.ManagementBeans;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import java.io.IOException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protection of one upstream service, built once at start-up: a SmallRye bulkhead around each whole
 * request (retries and body streaming included) and a SmallRye circuit breaker around each attempt. There is
 * no SmallRye timeout: the route's connect and response timeouts are the only ones, and a timed-out attempt
 * is a failure like any other. Operators can force the breaker open or closed, or reset it, over JMX.
 * Thread-safe.
 */
public final class ServiceGuard implements BreakerMXBean {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceGuard.class);

    private enum Forced { NONE, OPEN, CLOSED }

    /** A SmallRye breaker and its generation: {@link #reset()} replaces it with a fresh one. */
    private record Breaker(Guard guard, int generation) {
    }

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
    private final Guard bulkhead;
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
        this.bulkhead = Guard.create()
                .withDescription("tollgate bulkhead " + service)
                .withBulkhead().limit(config.maxConcurrent())
                    .onAccepted(active::incrementAndGet)
                    .onFinished(active::decrementAndGet)
                    .onRejected(rejections::incrementAndGet)
                    .done()
                .build();
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
                .build();
        return new Breaker(guard, generation);
    }

    public String service() {
        return service;
    }

    public ResilienceConfig config() {
        return config;
    }

    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /** Counts a request to this service for the retry budget. */
    public void recordRequest() {
        retryBudget.recordRequest();
    }

    /** Takes a retry from the budget; false when the budget is spent. Both outcomes are counted. */
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

    /** Work done inside the bulkhead. */
    @FunctionalInterface
    public interface Work {
        void run() throws IOException;
    }

    /** Runs one whole request inside the bulkhead; refuses at once when the bulkhead is full. */
    public void isolate(Work work) throws IOException, BulkheadFullException {
        try {
            bulkhead.call(() -> {
                work.run();
                return null;
            }, Void.class);
        } catch (BulkheadException e) {
            throw new BulkheadFullException(service);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    /**
     * Runs one attempt through the breaker. A result for which {@code unhealthy} holds counts as a failure but is
     * still returned; an exception counts when it is the upstream's fault. While the breaker is open the attempt
     * is not started at all.
     */
    public <T> T attempt(Callable<T> call, Predicate<T> unhealthy, Class<T> type) throws Exception {
        Forced f = forced.get();
        if (f == Forced.OPEN) {
            prevented.incrementAndGet();
            throw new BreakerOpenException(service, retryAfterSeconds());
        }
        if (f == Forced.CLOSED) {
            return call.call();
        }
        try {
            return breaker.get().guard().call(() -> {
                T v = call.call();
                if (unhealthy.test(v)) {
                    throw new Unhealthy(v);
                }
                return v;
            }, type);
        } catch (Unhealthy u) {
            return type.cast(u.value);
        } catch (CircuitBreakerOpenException e) {
            throw new BreakerOpenException(service, retryAfterSeconds());
        }
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
