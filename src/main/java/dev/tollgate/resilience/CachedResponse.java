package dev.tollgate.resilience;

import java.util.List;
import java.util.Objects;

/**
 * A last good response as the upstream sent it: status, end-to-end headers and the whole body, with what the
 * {@code Vary} header of the response selected from the request that produced it.
 *
 * @param status the upstream status
 * @param headers the upstream headers as name-value pairs, in order
 * @param body the complete body
 * @param storedAtMillis when it was kept (gateway clock)
 * @param upstreamAgeSeconds the upstream's own {@code Age}, 0 when absent
 * @param vary the lower-case header names the response varies on
 * @param varyValues the request's values of those headers, in the same order (empty string when absent)
 */
public record CachedResponse(int status, List<String[]> headers, byte[] body, long storedAtMillis,
                             long upstreamAgeSeconds, List<String> vary, List<String> varyValues) {
    public CachedResponse {
        headers = List.copyOf(headers);
        vary = List.copyOf(vary);
        varyValues = List.copyOf(varyValues);
        Objects.requireNonNull(body);
    }

    /** Bytes held, headers included, for the cache's byte bound. */
    long weight() {
        long w = body.length;
        for (String[] h : headers) {
            w += h[0].length() + h[1].length();
        }
        return w;
    }

    /** RFC 9111 §4.2.3: the upstream's age plus the time it has spent here, in whole seconds. */
    public long ageSeconds(long nowMillis) {
        return upstreamAgeSeconds + Math.max(0, nowMillis - storedAtMillis) / 1000;
    }
}
