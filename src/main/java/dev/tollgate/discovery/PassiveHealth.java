package dev.tollgate.discovery;

import dev.tollgate.config.PassiveHealthConfig;
import java.time.Duration;

/**
 * The ejection rules of one service (outlier detection in Envoy's terms): an instance failing
 * {@code consecutiveFailures} times in a row is ejected for {@code baseEjectionTime × 2^k}, k being the number
 * of ejections it had in a row before (capped at {@code maxEjectionTime}); a success resets both counts. At
 * most {@code maxEjectedPercent} of the instances (rounded down) are ejected at once, so a service with one
 * instance never ejects it. An ejected instance comes back by itself when its time is up. Thread-safe: each
 * member's state changes by compare-and-set; the ejection decision, rare, holds this object's lock so that
 * the share cannot be exceeded.
 */
final class PassiveHealth {
    /**
     * One instance's passive-health state. Immutable.
     *
     * @param failures failures in a row since the last success or ejection
     * @param ejections ejections in a row since the last success
     * @param ejectedUntil epoch millis until which it is ejected (0: never ejected)
     */
    record State(int failures, int ejections, long ejectedUntil) {
        static final State HEALTHY = new State(0, 0, 0);
    }

    private final PassiveHealthConfig config;

    PassiveHealth(PassiveHealthConfig config) {
        this.config = config;
    }

    void onSuccess(Member m) {
        State s = m.health().get();
        if (s.failures() != 0 || s.ejections() != 0) {
            m.health().updateAndGet(st -> new State(0, 0, st.ejectedUntil()));
        }
    }

    /**
     * Counts a failure of {@code m} and ejects it when that is due and allowed.
     *
     * @param all the service's current members, to keep the ejected share
     * @return the ejection's length when this failure ejected the member, else null
     */
    Duration onFailure(Member m, Member[] all, long nowMillis) {
        State s = m.health().updateAndGet(st -> new State(st.failures() + 1, st.ejections(), st.ejectedUntil()));
        if (s.failures() < config.consecutiveFailures() || s.ejectedUntil() > nowMillis) {
            return null;
        }
        synchronized (this) {
            State current = m.health().get();
            if (current.failures() < config.consecutiveFailures() || current.ejectedUntil() > nowMillis
                    || ejected(all, nowMillis) >= maxEjected(all.length)) {
                return null;
            }
            long length = ejectionMillis(current.ejections());
            m.health().set(new State(0, current.ejections() + 1, nowMillis + length));
            return Duration.ofMillis(length);
        }
    }

    int threshold() {
        return config.consecutiveFailures();
    }

    int maxEjected(int members) {
        return members * config.maxEjectedPercent() / 100;
    }

    /** {@code base × 2^previous}, at most the maximum. */
    long ejectionMillis(int previous) {
        long base = config.baseEjectionTime().toMillis();
        long max = config.maxEjectionTime().toMillis();
        if (previous >= 62 || base > (max >> Math.min(previous, 62))) {
            return max;
        }
        return Math.min(max, base << previous);
    }

    private static int ejected(Member[] all, long nowMillis) {
        int n = 0;
        for (Member m : all) {
            if (m.isEjected(nowMillis)) {
                n++;
            }
        }
        return n;
    }
}
