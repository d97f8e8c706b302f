package dev.tollgate.resilience;

/** The service already has as many requests in flight as its bulkhead allows. */
public final class BulkheadFullException extends Exception {
    private static final long serialVersionUID = 1L;

    BulkheadFullException(String service) {
        super("bulkhead of " + service + " is full", null, false, false);
    }
}
