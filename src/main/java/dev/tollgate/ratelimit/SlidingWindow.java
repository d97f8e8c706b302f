package dev.tollgate.ratelimit;

/**
 * A sliding log: the times of the requests admitted within the last window. A request is admitted while fewer
 * than {@code limit} requests were admitted in the window ending now, so no interval of one window ever
 * admits more than the limit (no burst at window edges). Memory: one entry per admitted request in the window.
 * The same arithmetic as {@code limit.lua}. Not thread-safe: {@link LocalBuckets} guards each instance.
 */
final class SlidingWindow {
    private long[] times = new long[4];
    private int head;
    private int size;

    /** Forgets requests at or before {@code now - window}; the window is (now - window, now]. */
    private void expire(long now, long window) {
        while (size > 0 && times[head] <= now - window) {
            head = (head + 1) % times.length;
            size--;
        }
    }

    private long at(int i) {
        return times[(head + i) % times.length];
    }

    BucketAnswer peek(long now, Acquire a) {
        expire(now, a.windowMicros());
        if (size < a.limit()) {
            long reset = size == 0 ? 0 : at(0) + a.windowMicros() - now;
            return new BucketAnswer(true, a.limit() - size, reset, 0);
        }
        long retry = at((int) (size - a.limit())) + a.windowMicros() - now;
        return new BucketAnswer(false, 0, at(0) + a.windowMicros() - now, retry);
    }

    BucketAnswer take(long now, Acquire a) {
        long oldest = size == 0 ? now : at(0);
        if (size == times.length) {
            long[] grown = new long[times.length * 2];
            for (int i = 0; i < size; i++) {
                grown[i] = at(i);
            }
            times = grown;
            head = 0;
        }
        times[(head + size) % times.length] = now;
        size++;
        return new BucketAnswer(true, a.limit() - size, oldest + a.windowMicros() - now, 0);
    }

    /** When the bucket is empty again (it can then be forgotten). */
    long emptyAt(long window) {
        return size == 0 ? Long.MIN_VALUE : at(size - 1) + window;
    }
}
