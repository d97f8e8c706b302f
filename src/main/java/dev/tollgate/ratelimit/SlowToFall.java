package dev.tollgate.ratelimit;

/**
 * A count that rises at once and falls only once every reading for a whole hold time has been lower: the
 * instance count that sets each gateway's local share of a limit, where counting too few is the unsafe
 * mistake (each gateway would admit too large a share) and counting too many only makes the share stricter.
 * After Redis restarts empty, the heartbeats of the other instances are missing until their next interval;
 * without the hold, the first instance to call in would count itself alone. Not thread-safe: one heartbeat
 * thread updates it.
 */
final class SlowToFall {
    private final long holdNanos;
    private int value;
    /** The highest reading since the current one fell below {@link #value}, and when that began; -1: none. */
    private int lowerMax;
    private long lowerSince = -1;

    SlowToFall(int initial, long holdNanos) {
        this.value = initial;
        this.holdNanos = holdNanos;
    }

    /** Takes a reading at {@code nowNanos}; returns the count to use. */
    int read(int reading, long nowNanos) {
        if (reading >= value) {
            value = reading;
            lowerSince = -1;
            return value;
        }
        if (lowerSince < 0) {
            lowerSince = nowNanos;
            lowerMax = reading;
        } else {
            lowerMax = Math.max(lowerMax, reading);
        }
        if (nowNanos - lowerSince >= holdNanos) {
            value = lowerMax;
            // this reading may be lower still: it starts the next hold
            lowerSince = reading < value ? nowNanos : -1;
            lowerMax = reading;
        }
        return value;
    }

    int value() {
        return value;
    }
}
