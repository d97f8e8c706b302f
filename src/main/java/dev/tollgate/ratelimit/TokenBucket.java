package dev.tollgate.ratelimit;

/**
 * A token bucket: {@code burst} tokens at most, refilled continuously at {@code limit} tokens per window; each
 * request takes one. Tokens are a double and time is in whole microseconds, with the same operations in the
 * same order as {@code limit.lua}, so both give bit-identical answers. Not thread-safe: {@link LocalBuckets}
 * guards each instance.
 */
final class TokenBucket {
    private double tokens = Double.NaN;
    private long updated;

    private double available(long now, Acquire a) {
        if (Double.isNaN(tokens)) {
            return a.burst();
        }
        return Math.min(a.burst(), tokens + (double) (now - updated) * a.limit() / a.windowMicros());
    }

    BucketAnswer peek(long now, Acquire a) {
        double t = available(now, a);
        long reset = refill(a.burst() - t, a);
        if (t >= 1) {
            return new BucketAnswer(true, (long) Math.floor(t), reset, 0);
        }
        return new BucketAnswer(false, 0, reset, refill(1 - t, a));
    }

    BucketAnswer take(long now, Acquire a) {
        tokens = available(now, a) - 1;
        updated = now;
        return new BucketAnswer(true, (long) Math.floor(tokens), refill(a.burst() - tokens, a), 0);
    }

    /** Microseconds until {@code missing} tokens are refilled, rounded up. */
    private static long refill(double missing, Acquire a) {
        return (long) Math.ceil(missing * a.windowMicros() / a.limit());
    }

    long fullAt(Acquire a) {
        return Double.isNaN(tokens) ? Long.MIN_VALUE : updated + refill(a.burst() - tokens, a);
    }
}
