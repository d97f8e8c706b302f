package dev.tollgate.ratelimit;

import dev.tollgate.config.RateLimitRule.Algorithm;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The table of algorithm cases run by {@link LocalBucketsTest} (in process, fake clock) and
 * {@link RedisBucketsIT} (limit.lua in a real Redis, the same fake time passed to the script): both must give
 * exactly these answers. Times are microseconds after {@link #START}, a realistic epoch time so that precision
 * loss in 16-digit timestamps would show.
 */
final class BucketCases {
    static final long START = 1_763_900_000_000_000L;
    private static final long S = 1_000_000;

    /** One call at a time offset, with the expected outcome of each bucket. */
    record Step(long atMicros, List<BucketAnswer> expected) {
    }

    /** A named case: the buckets every call acquires, and the calls. */
    record Case(String name, List<Acquire> buckets, List<Step> steps) {
        @Override
        public String toString() {
            return name;
        }
    }

    private BucketCases() {
    }

    static Stream<Arguments> cases() {
        return Stream.of(slidingWindow(), noDoubleBurstAtTheEdge(), tokenBucketRefill(), rejectedTakesNothing(),
                reportOnlyNeverRejects(), tokenBucketVetoesSlidingWindow(), counterWeighsThePreviousWindow(),
                counterRejectedTakesNothing(), tokenBucketVetoesCounter()).map(Arguments::of);
    }

    private static Acquire sliding(String key, long limit, long window, boolean enforced) {
        return new Acquire("tollgate:test:{case}:" + key, Algorithm.SLIDING_WINDOW, limit, window, limit, enforced);
    }

    private static Acquire counter(String key, long limit, long window) {
        return new Acquire("tollgate:test:{case}:" + key, Algorithm.SLIDING_WINDOW_COUNTER, limit, window, limit, true);
    }

    private static Acquire bucket(String key, long rate, long window, long burst) {
        return new Acquire("tollgate:test:{case}:" + key, Algorithm.TOKEN_BUCKET, rate, window, burst, true);
    }

    private static BucketAnswer ok(long remaining, long reset) {
        return new BucketAnswer(true, remaining, reset, 0);
    }

    private static BucketAnswer no(long reset, long retry) {
        return new BucketAnswer(false, 0, reset, retry);
    }

    private static Step at(long micros, BucketAnswer... expected) {
        return new Step(micros, List.of(expected));
    }

    static Case slidingWindow() {
        return new Case("sliding window: limit 3 per 10 s, the oldest request leaves the window",
                List.of(sliding("a", 3, 10 * S, true)), List.of(
                at(0, ok(2, 10 * S)),
                at(S, ok(1, 9 * S)),
                at(2 * S, ok(0, 8 * S)),
                at(3 * S, no(7 * S, 7 * S)),
                at(10 * S - 1, no(1, 1)),
                at(10 * S, ok(0, S)),
                at(10 * S + 1, no(S - 1, S - 1))));
    }

    static Case noDoubleBurstAtTheEdge() {
        return new Case("sliding window: three requests at the end of a window, none right after it",
                List.of(sliding("a", 3, 10 * S, true)), List.of(
                at(9 * S, ok(2, 10 * S)),
                at(9 * S, ok(1, 10 * S)),
                at(9 * S, ok(0, 10 * S)),
                at(10 * S, no(9 * S, 9 * S)),
                at(15 * S, no(4 * S, 4 * S)),
                at(19 * S - 1, no(1, 1)),
                at(19 * S, ok(2, 10 * S))));
    }

    static Case tokenBucketRefill() {
        return new Case("token bucket: burst 4, 2 per second, refills continuously up to the burst",
                List.of(bucket("b", 2, S, 4)), List.of(
                at(0, ok(3, S / 2)),
                at(0, ok(2, S)),
                at(0, ok(1, 3 * S / 2)),
                at(0, ok(0, 2 * S)),
                at(0, no(2 * S, S / 2)),
                at(S / 4, no(7 * S / 4, S / 4)),
                at(S / 2, ok(0, 2 * S)),
                at(10 * S, ok(3, S / 2))));
    }

    static Case rejectedTakesNothing() {
        return new Case("two rules: a request the first rejects takes nothing from the second",
                List.of(sliding("short", 2, 10 * S, true), sliding("long", 5, 100 * S, true)), List.of(
                at(0, ok(1, 10 * S), ok(4, 100 * S)),
                at(S, ok(0, 9 * S), ok(3, 99 * S)),
                at(2 * S, no(8 * S, 8 * S), ok(3, 98 * S)),
                at(3 * S, no(7 * S, 7 * S), ok(3, 97 * S)),
                at(10 * S, ok(0, S), ok(2, 90 * S))));
    }

    static Case reportOnlyNeverRejects() {
        return new Case("report-only: its rejection is reported, the other rule still counts the request",
                List.of(sliding("report", 1, 10 * S, false), sliding("enforced", 5, 10 * S, true)), List.of(
                at(0, ok(0, 10 * S), ok(4, 10 * S)),
                at(S, no(9 * S, 9 * S), ok(3, 9 * S)),
                at(2 * S, no(8 * S, 8 * S), ok(2, 8 * S))));
    }

    static Case tokenBucketVetoesSlidingWindow() {
        return new Case("token bucket empty: the sliding window keeps its count",
                List.of(bucket("b", 1, 10 * S, 1), sliding("w", 10, 60 * S, true)), List.of(
                at(0, ok(0, 10 * S), ok(9, 60 * S)),
                at(S, no(9 * S, 9 * S), ok(9, 59 * S)),
                at(10 * S, ok(0, 10 * S), ok(8, 50 * S))));
    }

    /**
     * START is a multiple of 10 s, so the fixed windows of 10 s start at offsets 0, 10 s, 20 s... The previous
     * window weighs (window - elapsed - 1 us) / window: its 4 requests count 3.9999996 at the start of the next.
     */
    static Case counterWeighsThePreviousWindow() {
        return new Case("counter: limit 4 per 10 s, the previous window's weight slides out",
                List.of(counter("c", 4, 10 * S)), List.of(
                at(0, ok(3, 10 * S)),
                at(S, ok(2, 9 * S)),
                at(2 * S, ok(1, 8 * S)),
                at(3 * S, ok(0, 7 * S)),
                at(4 * S, no(6 * S, 6 * S)),
                // 4 x 0.9999999 + 0 < 4: one fits; then one more once 4 x (1 - e/10 s) + 1 < 4, at e = 2.5 s
                at(10 * S, ok(0, 5 * S / 2)),
                at(11 * S, no(3 * S / 2, 3 * S / 2)),
                at(25 * S / 2 - 1, no(1, 1)),
                at(25 * S / 2, ok(0, 5 * S / 2)),
                // two windows on: both counts are forgotten
                at(30 * S, ok(3, 10 * S))));
    }

    static Case counterRejectedTakesNothing() {
        return new Case("counter and sliding log: a request the counter rejects takes nothing from the log",
                List.of(counter("c", 2, 10 * S), sliding("long", 5, 100 * S, true)), List.of(
                at(0, ok(1, 10 * S), ok(4, 100 * S)),
                at(S, ok(0, 9 * S), ok(3, 99 * S)),
                at(2 * S, no(8 * S, 8 * S), ok(3, 98 * S)),
                at(10 * S, ok(0, 5 * S), ok(2, 90 * S))));
    }

    /** START is 20 s into a fixed window of 60 s. */
    static Case tokenBucketVetoesCounter() {
        return new Case("token bucket empty: the counter keeps its count",
                List.of(bucket("b", 1, 10 * S, 1), counter("w", 10, 60 * S)), List.of(
                at(0, ok(0, 10 * S), ok(9, 40 * S)),
                at(S, no(9 * S, 9 * S), ok(9, 39 * S)),
                at(10 * S, ok(0, 10 * S), ok(8, 30 * S))));
    }
}
