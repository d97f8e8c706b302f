package dev.tollgate.ratelimit;

/**
 * What one bucket said about one request.
 *
 * @param allowed whether the bucket had room
 * @param remaining units left after this request (not counting it when the request was rejected elsewhere)
 * @param resetMicros time until the bucket's quota is restored: for the sliding window until its oldest counted
 *     request leaves the window, for the counter until enough of the previous window's weight has slid out for
 *     one more request, for the token bucket until it is full again
 * @param retryMicros when rejected, time until a unit is available; else 0
 */
record BucketAnswer(boolean allowed, long remaining, long resetMicros, long retryMicros) {
}
