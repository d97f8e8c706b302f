package dev.tollgate.ratelimit;

import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * The time {@link RedisBuckets} counts in: the time {@code limit.lua} is called with, and the clock that ends
 * this instance's prefetch leases ({@link Prefetch}). The gateway uses {@link #REDIS_TIME}; {@link #of} drives
 * both from one caller-supplied clock, which makes the buckets' answers a function of that clock alone.
 */
interface LimitClock {
    /** Redis {@code TIME} for the script, so that gateway instances with skewed clocks agree; leases end by
     * {@link System#nanoTime()}. */
    LimitClock REDIS_TIME = new LimitClock() {
        @Override
        public OptionalLong scriptMicros() {
            return OptionalLong.empty();
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }
    };

    /** The time to call the script with, in microseconds; empty: the script takes Redis {@code TIME}. */
    OptionalLong scriptMicros();

    /** Now, in nanoseconds, for ending leases: only differences between two readings count. */
    long nanoTime();

    /** A clock that gives the script {@code micros} and ends leases by it too. */
    static LimitClock of(LongSupplier micros) {
        return new LimitClock() {
            @Override
            public OptionalLong scriptMicros() {
                return OptionalLong.of(micros.getAsLong());
            }

            @Override
            public long nanoTime() {
                return micros.getAsLong() * 1_000;
            }
        };
    }
}
