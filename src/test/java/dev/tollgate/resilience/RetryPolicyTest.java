package dev.tollgate.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.RetryConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(new RetryConfig(Set.of("GET", "HEAD", "OPTIONS", "PUT",
            "DELETE"),
            2, Duration.ofMillis(20), Duration.ofMillis(50), 1024, 0.2, 3, Duration.ofSeconds(10)));

    @Test
    void onlyIdempotentMethodsWithARepeatableBody() {
        assertThat(policy.allows("GET", true)).isTrue();
        assertThat(policy.allows("PUT", true)).isTrue();
        assertThat(policy.allows("PUT", false)).isFalse();
        assertThat(policy.allows("POST", true)).isFalse();
        assertThat(policy.allows("PATCH", true)).isFalse();
    }

    @Test
    void buffersOnlyKnownSmallBodiesOfRetryableMethods() {
        assertThat(policy.buffers("PUT", 1024)).isTrue();
        assertThat(policy.buffers("PUT", 1025)).isFalse();
        assertThat(policy.buffers("PUT", -1)).isFalse();
        assertThat(policy.buffers("POST", 10)).isFalse();
    }

    @Test
    void timeoutsAreNotRetriedAndAttemptsAreBounded() {
        assertThat(policy.retries(RetryPolicy.AttemptFailure.CONNECT, 1)).isTrue();
        assertThat(policy.retries(RetryPolicy.AttemptFailure.STATUS, 2)).isTrue();
        assertThat(policy.retries(RetryPolicy.AttemptFailure.NO_RESPONSE, 3)).isFalse();
        assertThat(policy.retries(RetryPolicy.AttemptFailure.TIMEOUT, 1)).isFalse();
    }

    @Test
    void classifiesFailures() {
        assertThat(RetryPolicy.classify(new ConnectException("refused")))
                .isEqualTo(RetryPolicy.AttemptFailure.CONNECT);
        assertThat(RetryPolicy.classify(new HttpHostConnectException("refused")))
                .isEqualTo(RetryPolicy.AttemptFailure.CONNECT);
        assertThat(RetryPolicy.classify(new ConnectTimeoutException("slow")))
                .isEqualTo(RetryPolicy.AttemptFailure.CONNECT);
        assertThat(RetryPolicy.classify(new SocketTimeoutException("read")))
                .isEqualTo(RetryPolicy.AttemptFailure.TIMEOUT);
        assertThat(RetryPolicy.classify(new NoHttpResponseException("gone")))
                .isEqualTo(RetryPolicy.AttemptFailure.NO_RESPONSE);
        assertThat(RetryPolicy.classify(new IOException("reset")))
                .isEqualTo(RetryPolicy.AttemptFailure.NO_RESPONSE);
    }

    @Test
    void backoffIsJitteredUpToAnExponentialCappedStep() {
        Random random = new Random(7);
        long max1 = 0;
        long max3 = 0;
        for (int i = 0; i < 2000; i++) {
            long b1 = policy.backoffMillis(1, random);
            long b3 = policy.backoffMillis(3, random);
            assertThat(b1).isBetween(0L, 20L);
            assertThat(b3).isBetween(0L, 50L);
            max1 = Math.max(max1, b1);
            max3 = Math.max(max3, b3);
        }
        assertThat(max1).isEqualTo(20);
        assertThat(max3).isEqualTo(50); // 20 × 4 = 80, capped
        assertThat(policy.backoffMillis(40, random)).isBetween(0L, 50L);
    }
}
