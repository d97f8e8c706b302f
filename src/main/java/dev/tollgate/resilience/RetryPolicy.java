package dev.tollgate.resilience;

import dev.tollgate.config.RetryConfig;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.random.RandomGenerator;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;

/**
 * When a failed attempt may be sent again, and how long to wait first. Pure: the caller supplies what happened
 * and the random source. Immutable and thread-safe.
 */
public final class RetryPolicy {
    /** What went wrong with an attempt, as far as retrying is concerned. */
    public enum AttemptFailure {
        /** No connection was made: the request never left the gateway. */
        CONNECT,
        /** The connection failed before a response arrived (reset, closed, invalid response). */
        NO_RESPONSE,
        /** No response head within the route's response timeout: retrying would multiply the wait. */
        TIMEOUT,
        /** The upstream answered with a status in the breaker's failure set. */
        STATUS
    }

    private final RetryConfig config;

    /** What kind of failure an attempt's exception is. */
    public static AttemptFailure classify(Throwable t) {
        if (t instanceof ConnectException || t instanceof ConnectTimeoutException || t instanceof NoRouteToHostException
                || t instanceof UnknownHostException || t instanceof ConnectionRequestTimeoutException) {
            return AttemptFailure.CONNECT;
        }
        return t instanceof InterruptedIOException ? AttemptFailure.TIMEOUT : AttemptFailure.NO_RESPONSE;
    }

    public RetryPolicy(RetryConfig config) {
        this.config = config;
    }

    /** Whether a request with this method and body may be retried at all. */
    public boolean allows(String method, boolean repeatableBody) {
        return config.maxRetries() > 0 && config.methods().contains(method) && repeatableBody;
    }

    /** Whether a body of this declared length (-1: unknown) may be buffered so that it can be sent again. */
    public boolean buffers(String method, long contentLength) {
        return config.maxRetries() > 0 && config.methods().contains(method) && contentLength >= 0
                && contentLength <= config.maxBufferedBody();
    }

    /** Whether attempt number {@code attempt} (1 = the first) that failed this way may be followed by another. */
    public boolean retries(AttemptFailure failure, int attempt) {
        return failure != AttemptFailure.TIMEOUT && attempt <= config.maxRetries();
    }

    /**
     * The wait before retry number {@code retry} (1 = the first retry): "full jitter", a uniformly random time up
     * to {@code min(maxBackoff, backoff × 2^(retry-1))}, so that clients failing together do not retry together.
     */
    public long backoffMillis(int retry, RandomGenerator random) {
        long base = config.backoff().toMillis();
        long cap = config.maxBackoff().toMillis();
        int shift = retry - 1;
        long step = shift >= 31 || base > cap >> shift ? cap : base << shift;
        return step <= 0 ? 0 : random.nextLong(step + 1);
    }
}
