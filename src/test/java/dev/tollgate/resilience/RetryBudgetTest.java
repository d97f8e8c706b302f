package dev.tollgate.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.FakeClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
    private final FakeClock clock = new FakeClock();

    @Test
    void retriesAreAtMostTheRatioOfRequests() {
        RetryBudget budget = new RetryBudget(0.2, 0, Duration.ofSeconds(10), clock);
        for (int i = 0; i < 10; i++) {
            budget.recordRequest();
        }
        assertThat(budget.tryAcquireRetry()).isTrue();
        assertThat(budget.tryAcquireRetry()).isTrue();
        assertThat(budget.tryAcquireRetry()).isFalse();
        for (int i = 0; i < 5; i++) {
            budget.recordRequest();
        }
        assertThat(budget.tryAcquireRetry()).isTrue(); // 15 requests: 3 retries
        assertThat(budget.tryAcquireRetry()).isFalse();
    }

    @Test
    void aQuietServiceStillGetsTheMinimumRetries() {
        RetryBudget budget = new RetryBudget(0.2, 2, Duration.ofSeconds(10), clock);
        budget.recordRequest();
        assertThat(budget.tryAcquireRetry()).isTrue();
        assertThat(budget.tryAcquireRetry()).isTrue();
        assertThat(budget.tryAcquireRetry()).isFalse();
    }

    @Test
    void theWindowSlides() {
        RetryBudget budget = new RetryBudget(0.5, 0, Duration.ofSeconds(10), clock);
        budget.recordRequest();
        budget.recordRequest();
        assertThat(budget.tryAcquireRetry()).isTrue();
        assertThat(budget.tryAcquireRetry()).isFalse();
        clock.advance(Duration.ofSeconds(5));
        budget.recordRequest();
        budget.recordRequest();
        assertThat(budget.tryAcquireRetry()).isTrue(); // 4 requests, 2 retries in the window
        assertThat(budget.tryAcquireRetry()).isFalse();
        clock.advance(Duration.ofMillis(5500));
        // the first two requests and first retry fell out: 2 requests, 1 retry
        assertThat(budget.tryAcquireRetry()).isFalse();
        budget.recordRequest();
        budget.recordRequest();
        assertThat(budget.tryAcquireRetry()).isTrue();
        clock.advance(Duration.ofMinutes(5));
        assertThat(budget.tryAcquireRetry()).isFalse(); // everything expired, nothing to take a share of
    }

    @Test
    void exhaustedBudgetRefillsAfterTheWindow() {
        RetryBudget budget = new RetryBudget(0.2, 1, Duration.ofSeconds(10), clock);
        budget.recordRequest();
        assertThat(budget.tryAcquireRetry()).isTrue();
        assertThat(budget.tryAcquireRetry()).isFalse();
        clock.advance(Duration.ofSeconds(11));
        assertThat(budget.tryAcquireRetry()).isTrue();
    }
}
