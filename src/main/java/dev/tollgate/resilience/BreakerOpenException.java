package dev.tollgate.resilience;

/** The service's breaker is open (or forced open): no connection was attempted. */
public final class BreakerOpenException extends Exception {
    private static final long serialVersionUID = 1L;
    private final long retryAfterSeconds;

    BreakerOpenException(String service, long retryAfterSeconds) {
        super("circuit breaker of " + service + " is open", null, false, false);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Seconds until the breaker lets the next trial request through (at least 1). */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
