package dev.tollgate.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.discovery.ActiveHealth.State;
import org.junit.jupiter.api.Test;

/** The threshold state machine of active health checks, driven by explicit check results. */
class HealthCheckThresholdsTest {
    private final ActiveHealth health = new ActiveHealth(2, 3);

    private State run(State s, boolean... results) {
        for (boolean r : results) {
            s = health.next(s, r);
        }
        return s;
    }

    @Test
    void anUncheckedInstanceIsUsed() {
        assertThat(State.UNKNOWN.healthy()).isTrue();
        assertThat(State.UNKNOWN.checked()).isFalse();
    }

    @Test
    void theFirstCheckDecidesAtOnce() {
        assertThat(health.next(State.UNKNOWN, false)).isEqualTo(State.UNHEALTHY);
        assertThat(health.next(State.UNKNOWN, true)).isEqualTo(State.HEALTHY);
    }

    @Test
    void aHealthyInstanceTurnsUnhealthyAfterThreeFailuresInARow() {
        State s = run(State.HEALTHY, false, false);
        assertThat(s.healthy()).isTrue();
        assertThat(s.streak()).isEqualTo(2);
        assertThat(run(s, false)).isEqualTo(State.UNHEALTHY);
    }

    @Test
    void aPassBetweenFailuresStartsTheCountAgain() {
        State s = run(State.HEALTHY, false, false, true, false, false);
        assertThat(s.healthy()).isTrue();
        assertThat(run(s, false).healthy()).isFalse();
    }

    @Test
    void anUnhealthyInstanceComesBackAfterTwoPassesInARow() {
        State s = run(State.UNHEALTHY, true);
        assertThat(s.healthy()).isFalse();
        assertThat(run(s, true)).isEqualTo(State.HEALTHY);
    }

    @Test
    void aFailureBetweenPassesKeepsItUnhealthy() {
        State s = run(State.UNHEALTHY, true, false, true);
        assertThat(s.healthy()).isFalse();
        assertThat(s.streak()).isEqualTo(1);
        assertThat(run(s, true).healthy()).isTrue();
    }

    @Test
    void thresholdsOfOneFlipOnEveryChange() {
        ActiveHealth eager = new ActiveHealth(1, 1);
        State s = eager.next(State.HEALTHY, false);
        assertThat(s).isEqualTo(State.UNHEALTHY);
        assertThat(eager.next(s, true)).isEqualTo(State.HEALTHY);
    }

    @Test
    void agreeingResultsLeaveTheStateAsItIs() {
        assertThat(run(State.HEALTHY, true, true, true)).isSameAs(State.HEALTHY);
        assertThat(run(State.UNHEALTHY, false, false)).isSameAs(State.UNHEALTHY);
    }
}
