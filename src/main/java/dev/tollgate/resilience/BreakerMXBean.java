package dev.tollgate.resilience;

/**
 * The breaker of one upstream service over JMX ({@code tollgate:type=Breaker,name=<service>}). The operations
 * are audited (who, what, result) and return the state afterwards.
 */
public interface BreakerMXBean {
    /** {@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, {@code FORCED_OPEN} or {@code FORCED_CLOSED}. */
    String getState();

    /** Seconds until the next trial request while open, else 0. */
    long getSecondsUntilTrial();

    long getSuccesses();

    long getFailures();

    /** Calls refused without a connection attempt because the breaker was open. */
    long getPrevented();

    /** Requests in flight to the service (the bulkhead's occupancy). */
    int getActiveRequests();

    long getBulkheadRejections();

    /** Opens the breaker until {@link #forceClosed()} or {@link #reset()}: every call is refused. */
    String forceOpen();

    /** Keeps the breaker closed until {@link #forceOpen()} or {@link #reset()}: no call is refused. */
    String forceClosed();

    /** Ends any forcing and starts a closed breaker with an empty window. */
    String reset();
}
