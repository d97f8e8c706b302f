package dev.tollgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.RateLimitRule.Algorithm;
import dev.tollgate.testsupport.FakeClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sliding-window counter's error against the exact sliding log, on a fake clock (docs/rate-limiting.md states
 * the bound): at most twice the limit in any sliding window, reached by an adversarial pattern; steady traffic is
 * admitted exactly as the log admits it. Limit 100 per second; {@link BucketCases#START} is on a second boundary.
 */
class WindowCounterTest {
    private static final long S = 1_000_000;
    private static final long LIMIT = 100;

    private final FakeClock clock = new FakeClock(LocalBucketsTest.instant(BucketCases.START));
    private final LocalBuckets buckets = new LocalBuckets(clock);

    private static List<Acquire> rule(Algorithm algorithm) {
        return List.of(new Acquire("k:" + algorithm, algorithm, LIMIT, S, LIMIT, true));
    }

    /** Whether a request at {@code micros} after START is admitted. */
    private boolean send(Algorithm algorithm, long micros) {
        clock.set(LocalBucketsTest.instant(BucketCases.START + micros));
        return buckets.acquire(rule(algorithm)).get(0).allowed();
    }

    /** The most admissions in any sliding window {@code (t - window, t]}; times in ascending order. */
    static long maxInAnyWindow(List<Long> times, long window) {
        long max = 0;
        int first = 0;
        for (int last = 0; last < times.size(); last++) {
            while (times.get(first) <= times.get(last) - window) {
                first++;
            }
            max = Math.max(max, last - first + 1);
        }
        return max;
    }

    /**
     * The limit's worth in the last microsecond of one window, then a request every 100 us through the next: the
     * counter weighs the burst as if spread over its window, so the next window's share of it slides out at once
     * and 100 more are admitted while the burst is still inside the sliding window. The log admits none of them.
     */
    @Test
    void anAdversarialPatternGetsTwiceTheLimitIntoOneSlidingWindowAndNoMore() {
        for (Algorithm algorithm : List.of(Algorithm.SLIDING_WINDOW_COUNTER, Algorithm.SLIDING_WINDOW)) {
            List<Long> admitted = new ArrayList<>();
            for (int n = 0; n < LIMIT; n++) {
                if (send(algorithm, S - 1)) {
                    admitted.add(S - 1);
                }
            }
            // then the same again on every window edge for 5 s: the attacker's best repeated
            for (long t = S; t < 6 * S; t += 100) {
                boolean edge = t % S == S - 100;
                for (int n = 0; n < (edge ? LIMIT : 1); n++) {
                    if (send(algorithm, edge ? t + 99 : t)) {
                        admitted.add(edge ? t + 99 : t);
                    }
                }
            }
            long max = maxInAnyWindow(admitted, S);
            if (algorithm == Algorithm.SLIDING_WINDOW) {
                assertThat(max).as("the exact log").isEqualTo(LIMIT);
            } else {
                assertThat(max).as("the counter's worst case: twice the limit").isEqualTo(2 * LIMIT);
                long[] perWindow = new long[6];
                admitted.forEach(t -> perWindow[(int) (t / S)]++);
                assertThat(perWindow).as("no fixed window admits more than the limit").containsOnly(LIMIT);
            }
        }
    }

    /**
     * Random bursts and gaps (a fixed seed), 20 s of them at up to 5 times the limit: whatever the pattern, no
     * sliding window admits more than twice the limit, and no fixed window more than the limit.
     */
    @Test
    void noPatternGetsMoreThanTwiceTheLimitIntoAnySlidingWindow() {
        java.util.Random random = new java.util.Random(42);
        List<Long> admitted = new ArrayList<>();
        long t = 0;
        while (t < 20 * S) {
            int burst = random.nextInt(4) == 0 ? random.nextInt((int) LIMIT) + 1 : 1;
            for (int n = 0; n < burst; n++) {
                if (send(Algorithm.SLIDING_WINDOW_COUNTER, t)) {
                    admitted.add(t);
                }
            }
            t += random.nextInt(random.nextBoolean() ? 2_000 : 40_000) + 1;
        }
        assertThat(maxInAnyWindow(admitted, S)).isGreaterThan(LIMIT).isLessThanOrEqualTo(2 * LIMIT);
        long[] perWindow = new long[20];
        admitted.forEach(a -> perWindow[(int) (a / S)]++);
        for (long n : perWindow) {
            assertThat(n).isLessThanOrEqualTo(LIMIT);
        }
    }

    /**
     * Requests at exactly the limit's rate, evenly spaced, at an offset from the window edges, for 10 s: the
     * counter admits every one, as the exact log does.
     */
    @Test
    void steadyTrafficAtTheLimitIsAdmittedInFullAsByTheLog() {
        for (Algorithm algorithm : List.of(Algorithm.SLIDING_WINDOW_COUNTER, Algorithm.SLIDING_WINDOW)) {
            int admitted = 0;
            for (long t = 3_333; t < 10 * S; t += S / LIMIT) {
                admitted += send(algorithm, t) ? 1 : 0;
            }
            assertThat(admitted).as(algorithm.label()).isEqualTo(1_000);
        }
    }

    /**
     * Steady traffic at ten times the limit for 10 s, starting from idle 0.7 s into a fixed window. The log admits
     * the limit at once and then as the first ones leave the window. The counter admits the limit at once too,
     * and in the next fixed window, whose previous one it takes as evenly spread, one per hundredth of a second:
     * up to limit × (1 + 0.7) in the first window length, the error of a burst that came late in its window.
     * From the third fixed window on the previous window's admissions are evenly spread, and the counter holds
     * every window length to the limit (one more at most).
     */
    @Test
    void steadyOverloadFromIdleIsHeldToTheLimitAfterItsFirstWindows() {
        List<Long> counter = new ArrayList<>();
        List<Long> log = new ArrayList<>();
        for (long t = 700_000; t < 10 * S; t += 1_000) {
            if (send(Algorithm.SLIDING_WINDOW_COUNTER, t)) {
                counter.add(t);
            }
            if (send(Algorithm.SLIDING_WINDOW, t)) {
                log.add(t);
            }
        }
        assertThat(maxInAnyWindow(log, S)).isEqualTo(LIMIT);
        assertThat(maxInAnyWindow(counter, S)).as("the first window length").isEqualTo(LIMIT + 70);
        List<Long> steady = counter.stream().filter(t -> t >= 2 * S).toList();
        assertThat(maxInAnyWindow(steady, S)).isLessThanOrEqualTo(LIMIT + 1);
        assertThat(steady).hasSize(800);
    }
}
