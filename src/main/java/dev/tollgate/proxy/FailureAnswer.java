package dev.tollgate.proxy;

/**
 * How a failed exchange is answered: the status, a title and a detail safe to show to any client (no host
 * names, no exception classes).
 *
 * @param status the HTTP status
 * @param title short summary (RFC 9457 {@code title})
 * @param detail what happened (RFC 9457 {@code detail})
 * @param closeConnection the client connection must not be reused
 * @param clientFault the client caused it (its request body was too large, too slow or broken): it never counts
 *                    against the upstream (breaker, passive health), is not retried, and is logged at DEBUG
 */
public record FailureAnswer(int status, String title, String detail, boolean closeConnection, boolean clientFault) {
}
