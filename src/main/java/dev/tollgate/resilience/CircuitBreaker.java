package dev.tollgate.resilience;

import dev.tollgate.config.BreakerConfig;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service's circuit breaker: SmallRye's, in its non-blocking {@code CompletionStage} form (no thread waits
 * in it, none is offloaded to), plus what operators do to it over JMX (force it open or closed, reset it) and
 * when the next trial is due, by the injected clock, for {@code Retry-After}. SmallRye keeps the breaker's own
 * delay on its timer: the transition from open to half-open follows the wall clock. Thread-safe.
 */
final class CircuitBreaker {
    private static final Logger LOG = LoggerFactory.getLogger(CircuitBreaker.class);

    private enum Forced { NONE, OPEN, CLOSED }

    /** A SmallRye breaker and its generation: {@link #reset()} replaces it with a fresh one. */
    private record Generation(Guard guard, int number) {
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
    private final BreakerConfig config;
    private final Clock clock;
    private final Predicate<Throwable> upstreamFault;
    private final AtomicReference<Generation> current = new AtomicReference<>();
    private final AtomicReference<Forced> forced = new AtomicReference<>(Forced.NONE);
    private volatile CircuitBreakerState state = CircuitBreakerState.CLOSED;
    private volatile long openedAtMillis;
    private final AtomicLong successes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong prevented = new AtomicLong();

    /** @param upstreamFault which exceptions of an attempt count against the service */
    CircuitBreaker(String service, BreakerConfig config, Clock clock, Predicate<Throwable> upstreamFault) {
        this.service = service;
        this.config = config;
        this.clock = clock;
        this.upstreamFault = upstreamFault;
        this.current.set(generation(1));
    }

    private Generation generation(int number) {
        Guard guard = Guard.create()
                .withDescription("tollgate breaker " + service)
                .withCircuitBreaker()
                    .requestVolumeThreshold(config.requestVolumeThreshold())
                    .failureRatio(config.failureRatio())
                    .delay(config.delay().toMillis(), ChronoUnit.MILLIS)
                    .successThreshold(config.successThreshold())
                    .when(t -> t instanceof Unhealthy || upstreamFault.test(t))
                    .onStateChange(s -> changed(number, s))
                    .onSuccess(successes::incrementAndGet)
                    .onFailure(failures::incrementAndGet)
                    .onPrevented(prevented::incrementAndGet)
                    .done()
                .withThreadOffload(false)
                .build();
        return new Generation(guard, number);
    }

    /**
     * Runs one attempt through the breaker: refused with a {@link BreakerOpenException} while it is open, else the
     * call's result, which counts as a failure when {@code unhealthy} says so (the result is still returned).
     */
    <T> CompletionStage<T> attempt(Supplier<CompletionStage<T>> call, Predicate<T> unhealthy) {
        Forced f = forced.get();
        if (f == Forced.OPEN) {
            prevented.incrementAndGet();
            return CompletableFuture.failedFuture(new BreakerOpenException(service, retryAfterSeconds()));
        }
        if (f == Forced.CLOSED) {
            return call.get();
        }
        CompletionStage<Object> guarded;
        try {
            guarded = current.get().guard().call(() -> judged(call, unhealthy), ASYNC);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
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

    /** The call's outcome as SmallRye must see it: an unhealthy result fails, carrying the result along. */
    private static <T> CompletionStage<Object> judged(Supplier<CompletionStage<T>> call, Predicate<T> unhealthy) {
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
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object v) {
        return (T) v;
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private void changed(int number, CircuitBreakerState next) {
        if (current.get() != null && current.get().number() != number) {
            return; // a transition of a breaker replaced by reset()
        }
        if (next == CircuitBreakerState.OPEN) {
            openedAtMillis = clock.millis();
            LOG.warn("service={} circuit breaker opened; next trial in {} ms", service, config.delay().toMillis());
        } else {
            LOG.info("service={} circuit breaker {}", service,
                    next == CircuitBreakerState.CLOSED ? "closed" : "half-open");
        }
        state = next;
    }

    /** Seconds a client should wait before trying again: until the next trial while open, else 1. */
    long retryAfterSeconds() {
        if (forced.get() == Forced.OPEN) {
            return Math.max(1, config.delay().toSeconds());
        }
        if (state != CircuitBreakerState.OPEN) {
            return 1;
        }
        return Math.max(1, secondsUntil(openedAtMillis + config.delay().toMillis(), clock.millis()));
    }

    /** Whole seconds from {@code now} until {@code when}, rounded up; 0 when it has passed. */
    static long secondsUntil(long whenMillis, long nowMillis) {
        long left = whenMillis - nowMillis;
        return left <= 0 ? 0 : (left + 999) / 1000;
    }

    /** 0 closed, 1 open, 2 half-open, 3 forced open, 4 forced closed (the state gauge). */
    int stateCode() {
        switch (forced.get()) {
            case OPEN: return 3;
            case CLOSED: return 4;
            default: return state == CircuitBreakerState.CLOSED ? 0 : state == CircuitBreakerState.OPEN ? 1 : 2;
        }
    }

    /** {@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, {@code FORCED_OPEN} or {@code FORCED_CLOSED}. */
    String state() {
        switch (forced.get()) {
            case OPEN: return "FORCED_OPEN";
            case CLOSED: return "FORCED_CLOSED";
            default: return state.name();
        }
    }

    /** Seconds until the next trial while open (not forced); else 0. */
    long secondsUntilTrial() {
        if (forced.get() != Forced.NONE || state != CircuitBreakerState.OPEN) {
            return 0;
        }
        return secondsUntil(openedAtMillis + config.delay().toMillis(), clock.millis());
    }

    long successes() {
        return successes.get();
    }

    long failures() {
        return failures.get();
    }

    long prevented() {
        return prevented.get();
    }

    /** Holds the breaker open (or closed) whatever the attempts do, until {@link #reset()}. */
    String forceOpen() {
        return force(Forced.OPEN);
    }

    String forceClosed() {
        return force(Forced.CLOSED);
    }

    private String force(Forced to) {
        forced.set(to);
        LOG.warn("service={} circuit breaker {}", service, to == Forced.OPEN ? "forced open" : "forced closed");
        return state();
    }

    /** A fresh, closed breaker in place of this one's SmallRye state; forcing ends. */
    String reset() {
        synchronized (current) {
            current.set(generation(current.get().number() + 1));
            state = CircuitBreakerState.CLOSED;
            forced.set(Forced.NONE);
        }
        LOG.info("service={} circuit breaker reset", service);
        return state();
    }
}
