package dev.tollgate.discovery;

/**
 * The thresholds of active health checks, as a pure state machine over check results (no clock, no I/O): an
 * instance starts {@link State#UNKNOWN} and is used; its first check decides at once (passed: healthy, failed:
 * unhealthy); after that a healthy instance becomes unhealthy after {@code unhealthyThreshold} failed checks in
 * a row, and an unhealthy one healthy again after {@code healthyThreshold} passed checks in a row. A result that
 * agrees with the current state resets the streak. Immutable and thread-safe.
 */
final class ActiveHealth {
    /**
     * One instance's active-health state. Immutable.
     *
     * @param checked whether any check has finished yet
     * @param healthy whether the instance may be used (true while unchecked)
     * @param streak results in a row that disagree with {@code healthy}
     */
    record State(boolean checked, boolean healthy, int streak) {
        static final State UNKNOWN = new State(false, true, 0);
        static final State HEALTHY = new State(true, true, 0);
        static final State UNHEALTHY = new State(true, false, 0);
    }

    private final int healthyThreshold;
    private final int unhealthyThreshold;

    ActiveHealth(int healthyThreshold, int unhealthyThreshold) {
        if (healthyThreshold < 1 || unhealthyThreshold < 1) {
            throw new IllegalArgumentException("thresholds must be at least 1");
        }
        this.healthyThreshold = healthyThreshold;
        this.unhealthyThreshold = unhealthyThreshold;
    }

    /** The state after one check that {@code passed} or not. */
    State next(State s, boolean passed) {
        if (!s.checked()) {
            return passed ? State.HEALTHY : State.UNHEALTHY;
        }
        if (passed == s.healthy()) {
            return s.streak() == 0 ? s : new State(true, s.healthy(), 0);
        }
        int streak = s.streak() + 1;
        int threshold = s.healthy() ? unhealthyThreshold : healthyThreshold;
        if (streak >= threshold) {
            return s.healthy() ? State.UNHEALTHY : State.HEALTHY;
        }
        return new State(true, s.healthy(), streak);
    }

    int healthyThreshold() {
        return healthyThreshold;
    }

    int unhealthyThreshold() {
        return unhealthyThreshold;
    }
}
