package dev.tollgate.proxy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The least average rate at which a client must send its request body, measured from the moment the gateway
 * starts reading it, over the time the gateway was ready to read: while the body waits for a slow upstream (the
 * reading is paused) the clock stops, so a client is never blamed for the upstream's pace. A grace period comes
 * off the measured time, so a small body that follows its head after a short pause is not refused. Works the same
 * on every servlet container. Guarded by the lock of the body it measures.
 */
final class BodyRate {
    private final long bytesPerSecond;
    private final long graceNanos;
    private final LongSupplier nanoClock;
    private final long start;
    private long pausedSince = -1;
    private long pausedNanos;

    /** @param bytesPerSecond 0 or less: no minimum */
    BodyRate(long bytesPerSecond, Duration grace, LongSupplier nanoClock) {
        this.bytesPerSecond = bytesPerSecond;
        this.graceNanos = grace.toNanos();
        this.nanoClock = nanoClock;
        this.start = nanoClock.getAsLong();
    }

    /** The gateway stopped reading (its buffer towards the upstream is full). */
    void paused() {
        if (pausedSince < 0) {
            pausedSince = nanoClock.getAsLong();
        }
    }

    /** The gateway reads again. */
    void resumed() {
        if (pausedSince >= 0) {
            pausedNanos += nanoClock.getAsLong() - pausedSince;
            pausedSince = -1;
        }
    }

    /** Whether {@code received} bytes so far are fewer than the rate asks for the reading time minus the grace. */
    boolean tooSlow(long received) {
        if (bytesPerSecond <= 0) {
            return false;
        }
        long now = nanoClock.getAsLong();
        long reading = now - start - pausedNanos - (pausedSince >= 0 ? now - pausedSince : 0);
        long measured = reading - graceNanos;
        if (measured <= 0) {
            return false;
        }
        // received / seconds < rate, without overflow for any realistic body: compare in bytes
        double expected = bytesPerSecond * (measured / (double) TimeUnit.SECONDS.toNanos(1));
        return received < expected;
    }

    /** The failure a too-slow body ends with: a timeout, which maps to 408. */
    java.util.concurrent.TimeoutException failure() {
        return new java.util.concurrent.TimeoutException("request body slower than " + bytesPerSecond + " bytes/s");
    }
}
