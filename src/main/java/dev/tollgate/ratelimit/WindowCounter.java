package dev.tollgate.ratelimit;

/**
 * A sliding-window counter: two fixed windows (aligned to the epoch), the current one and the one before, each
 * a count of the requests it admitted. The number of requests in the sliding window {@code (now - window, now]}
 * is estimated as the previous window's count, weighted by the share of it still inside the sliding window (as
 * if its requests had been spread evenly), plus the current window's count; a request is admitted while the
 * estimate is below the limit. Memory: two counters per bucket, whatever the limit. The estimate is exact for
 * evenly spread traffic; uneven traffic can get up to twice the limit into one sliding window (see
 * docs/rate-limiting.md).
 *
 * <p>Time is in whole microseconds; the previous window's weight is {@code (window - elapsed - 1) / window}, the
 * share of its microseconds in {@code (now - window, now]}. The arithmetic is in doubles, with the same operations
 * in the same order as {@code limit.lua}, so both give identical answers. Not thread-safe: {@link LocalBuckets}
 * guards each instance.
 */
final class WindowCounter {
    /** The number of the current window ({@code now / window}), or none yet. */
    private long index = Long.MIN_VALUE;
    private long current;
    private long previous;

    /** Moves to the window of {@code now}: the current count becomes the previous one, or both are forgotten. */
    private void roll(long now, long window) {
        long i = now / window;
        if (i != index) {
            previous = i == index + 1 ? current : 0;
            current = 0;
            index = i;
        }
    }

    BucketAnswer peek(long now, Acquire a) {
        roll(now, a.windowMicros());
        long elapsed = now % a.windowMicros();
        double estimate = estimate(previous, current, elapsed, a.windowMicros());
        if (estimate < a.limit()) {
            long remaining = remaining(a.limit(), estimate);
            return new BucketAnswer(true, remaining, restore(previous, current, a, elapsed, remaining), 0);
        }
        long retry = restore(previous, current, a, elapsed, 0);
        return new BucketAnswer(false, 0, retry, retry);
    }

    BucketAnswer take(long now, Acquire a) {
        roll(now, a.windowMicros());
        long elapsed = now % a.windowMicros();
        current++;
        long remaining = remaining(a.limit(), estimate(previous, current, elapsed, a.windowMicros()));
        return new BucketAnswer(true, remaining, restore(previous, current, a, elapsed, remaining), 0);
    }

    /** When both counts are out of the sliding window (the bucket can then be forgotten). */
    long emptyAt(long window) {
        return index == Long.MIN_VALUE ? Long.MIN_VALUE : (index + 2) * window;
    }

    /** The estimated requests in the sliding window, {@code elapsed} microseconds into the current window. */
    static double estimate(long previous, long current, long elapsed, long window) {
        return (double) previous * (window - elapsed - 1) / window + current;
    }

    /** Requests that fit now: those that keep the estimate below the limit. */
    static long remaining(long limit, double estimate) {
        return Math.max(0, (long) Math.ceil(limit - estimate));
    }

    /**
     * Microseconds until one more request fits than the {@code remaining} that fit now, if no more are admitted
     * meanwhile: until enough of the previous window's weight has slid out, in this window or the next (where
     * this window's count is the previous one); 0 when nothing is counted.
     */
    static long restore(long previous, long current, Acquire a, long elapsed, long remaining) {
        if (remaining >= a.limit()) {
            return 0;
        }
        long target = a.limit() - remaining;
        long w = a.windowMicros();
        long here = firstBelow(previous, current, target, w, elapsed);
        return here >= 0 ? here - elapsed : w - elapsed + firstBelow(current, 0, target, w, 0);
    }

    /**
     * The first microsecond of the window at or after {@code from} at which the estimate is below {@code target},
     * or -1 if there is none in this window. The estimate falls as the window goes on, to {@code current} at its
     * last microsecond; the closed form is checked against {@link #estimate} so that rounding cannot disagree.
     */
    static long firstBelow(long previous, long current, long target, long w, long from) {
        if (current >= target) {
            return -1;
        }
        if (previous == 0) {
            return from;
        }
        long x = (long) Math.floor((w - 1) - (double) (target - current) * w / previous) + 1;
        x = Math.min(w - 1, Math.max(from, x));
        while (x < w - 1 && estimate(previous, current, x, w) >= target) {
            x++;
        }
        while (x > from && estimate(previous, current, x - 1, w) < target) {
            x--;
        }
        return x;
    }
}
