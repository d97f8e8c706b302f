package dev.tollgate.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.config.BreakerConfig;
import dev.tollgate.config.ResilienceConfig;
import dev.tollgate.config.RetryConfig;
import dev.tollgate.testsupport.FakeClock;
import dev.tollgate.testsupport.Poll;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The SmallRye breaker and bulkhead as configured per service (real guards, fake clock for Retry-After). */
class ServiceGuardTest {
    private final FakeClock clock = new FakeClock();
    private final AtomicInteger calls = new AtomicInteger();

    private ServiceGuard guard(Duration delay, int maxConcurrent) {
        BreakerConfig breaker = new BreakerConfig(5, 1.0, delay, 1, Set.of(502, 503, 504));
        RetryConfig retry = new RetryConfig(Set.of("GET"), 1, Duration.ofMillis(1), Duration.ofMillis(1), 0, 0.2, 3,
                Duration.ofSeconds(10));
        return new ServiceGuard("orders", new ResilienceConfig(breaker, maxConcurrent, retry, true), clock,
                t -> !(t instanceof IllegalStateException));
    }

    /** One attempt answered with this status; the stage's value, or what it failed with, thrown. */
    private int call(ServiceGuard g, int status) throws Throwable {
        return outcome(g.attempt(() -> {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(status);
        }, s -> s >= 502 && s <= 504));
    }

    private static <T> T outcome(CompletionStage<T> stage) throws Throwable {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }

    private void fail(ServiceGuard g, Exception e) {
        assertThatThrownBy(() -> outcome(g.attempt(() -> {
            calls.incrementAndGet();
            return CompletableFuture.<Integer>failedFuture(e);
        }, s -> false))).isSameAs(e);
    }

    @Test
    void opensAfterFiveConsecutiveFailuresNotFiveInTotal() throws Throwable {
        ServiceGuard g = guard(Duration.ofHours(1), 10);
        for (int i = 0; i < 4; i++) {
            fail(g, new ConnectException("refused"));
        }
        call(g, 200);
        for (int i = 0; i < 4; i++) {
            fail(g, new SocketTimeoutException("timeout"));
        }
        assertThat(g.getState()).isEqualTo("CLOSED");
        fail(g, new SocketTimeoutException("timeout"));
        assertThat(g.getState()).isEqualTo("OPEN");
        int before = calls.get();
        assertThatThrownBy(() -> call(g, 200)).isInstanceOf(BreakerOpenException.class);
        assertThat(calls.get()).as("no call while open").isEqualTo(before);
        assertThat(g.getFailures()).isEqualTo(9);
        assertThat(g.getPrevented()).isEqualTo(1);
    }

    @Test
    void failureStatusesCountButTheResponseIsStillReturned() throws Throwable {
        ServiceGuard g = guard(Duration.ofHours(1), 10);
        for (int i = 0; i < 5; i++) {
            assertThat(call(g, 503)).isEqualTo(503);
        }
        assertThat(g.getState()).isEqualTo("OPEN");
    }

    @Test
    void clientErrorsAndClientFaultsNeverCount() throws Throwable {
        ServiceGuard g = guard(Duration.ofHours(1), 10);
        for (int i = 0; i < 10; i++) {
            call(g, 404);
            call(g, 429);
            fail(g, new IllegalStateException("client body"));
        }
        assertThat(g.getState()).isEqualTo("CLOSED");
        assertThat(g.getFailures()).isZero();
    }

    @Test
    void retryAfterIsTheTimeUntilTheNextTrial() throws Throwable {
        ServiceGuard g = guard(Duration.ofSeconds(30), 10);
        for (int i = 0; i < 5; i++) {
            call(g, 502);
        }
        assertThat(g.retryAfterSeconds()).isEqualTo(30);
        clock.advance(Duration.ofMillis(10_400));
        assertThat(g.retryAfterSeconds()).isEqualTo(20);
        assertThat(g.getSecondsUntilTrial()).isEqualTo(20);
        clock.advance(Duration.ofSeconds(25));
        assertThat(g.retryAfterSeconds()).isEqualTo(1);
        assertThat(g.getSecondsUntilTrial()).isZero();
    }

    @Test
    void secondsUntilRoundsUp() {
        assertThat(CircuitBreaker.secondsUntil(10_000, 0)).isEqualTo(10);
        assertThat(CircuitBreaker.secondsUntil(10_001, 0)).isEqualTo(11);
        assertThat(CircuitBreaker.secondsUntil(10_000, 9_999)).isEqualTo(1);
        assertThat(CircuitBreaker.secondsUntil(10_000, 10_000)).isZero();
        assertThat(CircuitBreaker.secondsUntil(10_000, 20_000)).isZero();
    }

    @Test
    void halfOpenTrialClosesOnSuccessAndReopensOnFailure() throws Throwable {
        ServiceGuard g = guard(Duration.ofMillis(200), 10);
        for (int i = 0; i < 5; i++) {
            call(g, 504);
        }
        awaitTrial(g);
        call(g, 502); // the trial fails: open again
        assertThat(g.getState()).isEqualTo("OPEN");
        awaitTrial(g);
        assertThat(call(g, 200)).isEqualTo(200);
        assertThat(g.getState()).isEqualTo("CLOSED");
    }

    /** Polls (with a deadline) until the breaker lets a trial through; the trial itself is left to the caller. */
    private void awaitTrial(ServiceGuard g) throws InterruptedException {
        Poll.until(Duration.ofSeconds(10), () -> !g.getState().equals("OPEN"));
        assertThat(g.getState()).isEqualTo("HALF_OPEN");
    }

    @Test
    void operatorsCanForceOpenForceClosedAndReset() throws Throwable {
        ServiceGuard g = guard(Duration.ofHours(1), 10);
        assertThat(g.forceOpen()).isEqualTo("FORCED_OPEN");
        int before = calls.get();
        assertThatThrownBy(() -> call(g, 200)).isInstanceOf(BreakerOpenException.class);
        assertThat(calls.get()).isEqualTo(before);
        assertThat(g.forceClosed()).isEqualTo("FORCED_CLOSED");
        for (int i = 0; i < 10; i++) {
            call(g, 503);
        }
        assertThat(g.getState()).isEqualTo("FORCED_CLOSED");
        assertThat(g.reset()).isEqualTo("CLOSED");
        for (int i = 0; i < 5; i++) {
            call(g, 503);
        }
        assertThat(g.getState()).isEqualTo("OPEN");
        assertThat(g.reset()).isEqualTo("CLOSED");
        assertThat(call(g, 200)).isEqualTo(200);
    }

    @Test
    void theBulkheadRefusesBeyondItsLimitAtOnce() {
        ServiceGuard g = guard(Duration.ofHours(1), 2);
        assertThat(g.tryEnter()).isTrue();
        assertThat(g.tryEnter()).isTrue();
        assertThat(g.getActiveRequests()).isEqualTo(2);
        assertThat(g.tryEnter()).as("full: refused, not queued").isFalse();
        assertThat(g.getBulkheadRejections()).isEqualTo(1);
        g.exit();
        assertThat(g.tryEnter()).isTrue();
        g.exit();
        g.exit();
        assertThat(g.getActiveRequests()).isZero();
    }

    @Test
    void aStageThatIsNotCompleteHoldsNoThread() throws Throwable {
        ServiceGuard g = guard(Duration.ofHours(1), 1);
        CompletableFuture<Integer> pending = new CompletableFuture<>();
        CompletionStage<Integer> stage = g.attempt(() -> pending, s -> false);
        assertThat(stage.toCompletableFuture().isDone()).isFalse();
        pending.complete(200);
        assertThat(outcome(stage)).isEqualTo(200);
        assertThat(g.getSuccesses()).isEqualTo(1);
    }

    @Test
    void theGuardThatIsOffAdmitsAllAndNeverRetries() throws Throwable {
        UpstreamGuard off = UpstreamGuard.NONE;
        for (int i = 0; i < 1000; i++) {
            assertThat(off.tryEnter()).isTrue();
        }
        assertThat(off.tryRetry()).isFalse();
        assertThat(off.retryPolicy().allows("GET", true)).isFalse();
        assertThat(off.failureStatuses()).isEmpty();
        assertThat(outcome(off.attempt(() -> CompletableFuture.completedFuture(503), s -> true))).isEqualTo(503);
    }
}
