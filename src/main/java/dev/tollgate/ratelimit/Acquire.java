package dev.tollgate.ratelimit;

import dev.tollgate.config.RateLimitRule.Algorithm;

/**
 * One bucket a request must take a unit from.
 *
 * @param key the bucket's full key ({@link BucketKeys})
 * @param algorithm how the bucket counts
 * @param limit requests per window (sliding window and counter) or tokens added per window (token bucket)
 * @param windowMicros the window, in microseconds
 * @param burst the token bucket's capacity (equal to {@code limit} for the others)
 * @param enforced whether a rejection by this bucket rejects the request (false: report-only)
 */
record Acquire(String key, Algorithm algorithm, long limit, long windowMicros, long burst, boolean enforced) {
    /** The algorithm's number in {@code limit.lua}. */
    String scriptCode() {
        return switch (algorithm) {
            case SLIDING_WINDOW -> "1";
            case TOKEN_BUCKET -> "2";
            case SLIDING_WINDOW_COUNTER -> "3";
        };
    }
}
