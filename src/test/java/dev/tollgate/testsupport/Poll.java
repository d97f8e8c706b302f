package dev.tollgate.testsupport;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Waiting in tests for something that happens on another thread or in another process: the condition is
 * checked every few milliseconds until it holds or the deadline passes, never a fixed sleep. Callers assert on
 * the answer ({@code assertThat(Poll.until(...)).as(what).isTrue()}) or on the state after it.
 */
public final class Poll {
    private static final long INTERVAL_MILLIS = 10;

    private Poll() {
    }

    /**
     * Checks {@code condition} until it holds or {@code deadline} (from now) has passed; it is checked once more
     * at the end, so a condition that holds by the deadline counts.
     *
     * @return whether it held
     */
    public static boolean until(Duration deadline, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                return false;
            }
            Thread.sleep(INTERVAL_MILLIS);
        }
        return true;
    }

    /**
     * Calls {@code probe} (which may throw, e.g. an HTTP request) every few milliseconds until {@code done} accepts
     * its value or {@code deadline} has passed.
     *
     * @return the last value the probe gave, for the caller's assertion
     */
    public static <T> T until(Duration deadline, Callable<T> probe, Predicate<T> done) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        T value = probe.call();
        while (!done.test(value)) {
            if (System.nanoTime() - end > 0) {
                return value;
            }
            Thread.sleep(INTERVAL_MILLIS);
            value = probe.call();
        }
        return value;
    }
}
