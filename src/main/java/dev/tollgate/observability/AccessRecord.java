package dev.tollgate.observability;

/**
 * One finished request as the access log writes it. Values a filter did not set are null. Never holds a
 * token, an API key or a query string (either may carry a secret).
 *
 * @param startEpochMillis when the gateway received the request
 * @param request what the client asked
 * @param target where the gateway sent it
 * @param result how it ended
 * @param decisions what the gateway's own steps decided on the way
 */
public record AccessRecord(long startEpochMillis, Request request, Target target, Result result,
                           Decisions decisions) {

    /**
     * @param requestId the request id
     * @param traceId the W3C trace id, or null when the request was refused before it was traced
     * @param clientAddress the client address (trusted-proxy aware)
     * @param method the request method
     * @param path the request path (canonical when routed), without the query
     * @param protocol e.g. {@code HTTP/1.1}
     */
    public record Request(String requestId, String traceId, String clientAddress, String method, String path,
                          String protocol) {
    }

    /**
     * @param route the matched route's name
     * @param service the upstream service's name
     * @param upstream the chosen upstream instance, e.g. {@code http://10.0.0.5:8080}
     */
    public record Target(String route, String service, String upstream) {
        /** A request that was never routed. */
        public static final Target NONE = new Target(null, null, null);
    }

    /**
     * @param status the response status
     * @param bytesIn request body bytes read
     * @param bytesOut response body bytes written
     * @param durationNanos time from arrival to the end of the response
     */
    public record Result(int status, long bytesIn, long bytesOut, long durationNanos) {
    }

    /**
     * @param principal the authenticated principal's id
     * @param rateLimit the rate limiter's outcome, e.g. {@code allowed} or {@code rejected}
     * @param breaker the circuit breaker's outcome, e.g. {@code closed} or {@code open}
     * @param cacheHit whether the answer (or the credential check) came from a cache
     */
    public record Decisions(String principal, String rateLimit, String breaker, Boolean cacheHit) {
        /** No step decided anything (a request refused before authentication). */
        public static final Decisions NONE = new Decisions(null, null, null, null);
    }
}
