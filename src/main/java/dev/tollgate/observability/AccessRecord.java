package dev.tollgate.observability;

/**
 * One finished request as the access log writes it. Values a filter did not set are null. Never holds a
 * token, an API key or a query string (either may carry a secret).
 *
 * @param startEpochMillis when the gateway received the request
 * @param requestId the request id
 * @param traceId the W3C trace id, or null when the request was refused before it was traced
 * @param clientAddress the client address (trusted-proxy aware)
 * @param method the request method
 * @param path the request path (canonical when routed), without the query
 * @param protocol e.g. {@code HTTP/1.1}
 * @param route the matched route's name
 * @param service the upstream service's name
 * @param upstream the chosen upstream instance, e.g. {@code http://10.0.0.5:8080}
 * @param status the response status
 * @param bytesIn request body bytes read
 * @param bytesOut response body bytes written
 * @param durationNanos time from arrival to the end of the response
 * @param principal the authenticated principal's id
 * @param rateLimit the rate limiter's outcome, e.g. {@code allowed} or {@code rejected}
 * @param breaker the circuit breaker's outcome, e.g. {@code closed} or {@code open}
 * @param cacheHit whether the answer (or the credential check) came from a cache
 */
public record AccessRecord(long startEpochMillis, String requestId, String traceId, String clientAddress,
                           String method, String path, String protocol, String route, String service,
                           String upstream, int status, long bytesIn, long bytesOut, long durationNanos,
                           String principal, String rateLimit, String breaker, Boolean cacheHit) {
}
