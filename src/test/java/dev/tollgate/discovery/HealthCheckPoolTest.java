package dev.tollgate.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.LoadBalancing;
import dev.tollgate.config.PassiveHealthConfig;
import dev.tollgate.testsupport.FakeClock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How active health combines with choosing: unhealthy instances are never leased, ejected ones only as a last resort. */
class HealthCheckPoolTest {
    private static final PassiveHealthConfig PASSIVE = new PassiveHealthConfig(1, Duration.ofSeconds(10),
            Duration.ofMinutes(5), 50);
    private final FakeClock clock = new FakeClock();

    private ServicePool pool(int instances) {
        int[] weights = new int[instances];
        Arrays.fill(weights, 1);
        return new ServicePool("orders", LoadBalancing.ROUND_ROBIN, PASSIVE, clock,
                new InstanceSnapshot(ServicePoolTest.weighted(weights), clock.instant(), false));
    }

    private static void markUnhealthy(ServicePool pool, int port) {
        for (Member m : pool.members()) {
            if (m.instance().port() == port) {
                m.active().set(ActiveHealth.State.UNHEALTHY);
            }
        }
    }

    private static Set<Integer> chosen(ServicePool pool, int picks) {
        Set<Integer> out = new HashSet<>();
        for (int i = 0; i < picks; i++) {
            Lease l = pool.choose(null, Set.of());
            out.add(l.instance().port());
            l.release(InstanceOutcome.SUCCESS);
        }
        return out;
    }

    @Test
    void anUnhealthyInstanceIsNotChosen() {
        ServicePool pool = pool(3);
        markUnhealthy(pool, 8002);
        assertThat(chosen(pool, 12)).containsExactlyInAnyOrder(8001, 8003);
        assertThat(pool.unhealthy()).containsExactly(ServicePoolTest.inst(8002));
    }

    @Test
    void noInstanceIsOfferedWhenAllAreUnhealthy() {
        ServicePool pool = pool(2);
        markUnhealthy(pool, 8001);
        markUnhealthy(pool, 8002);
        assertThat(pool.choose(null, Set.of())).isNull();
    }

    @Test
    void anInstanceMustBeBothHealthyAndNotEjected() {
        ServicePool pool = pool(4);
        markUnhealthy(pool, 8001);
        Lease l = pool.choose(null, Set.of(ServicePoolTest.inst(8003), ServicePoolTest.inst(8004)));
        assertThat(l.instance().port()).isEqualTo(8002);
        l.release(InstanceOutcome.REFUSED);
        assertThat(pool.ejected()).containsExactly(ServicePoolTest.inst(8002));
        assertThat(chosen(pool, 12)).containsExactlyInAnyOrder(8003, 8004);
    }

    @Test
    void anEjectedInstanceIsStillPreferredToAnUnhealthyOne() {
        ServicePool pool = pool(2);
        Lease l = pool.choose(null, Set.of(ServicePoolTest.inst(8002)));
        l.release(InstanceOutcome.REFUSED);
        assertThat(pool.ejected()).containsExactly(ServicePoolTest.inst(8001));
        markUnhealthy(pool, 8002);
        assertThat(chosen(pool, 4)).containsExactly(8001);
    }

    @Test
    void stateFollowsTheInstanceAcrossUpdatesAndIsDroppedWithIt() {
        ServicePool pool = pool(2);
        markUnhealthy(pool, 8002);
        pool.update(List.of(new WeightedInstance(ServicePoolTest.inst(8001), 1),
                new WeightedInstance(ServicePoolTest.inst(8002), 5)));
        assertThat(pool.unhealthy()).containsExactly(ServicePoolTest.inst(8002));
        pool.update(List.of(new WeightedInstance(ServicePoolTest.inst(8001), 1)));
        assertThat(pool.unhealthy()).isEmpty();
        assertThat(pool.contains(ServicePoolTest.inst(8002))).isFalse();
        pool.update(ServicePoolTest.weighted(1, 1));
        assertThat(pool.unhealthy()).isEmpty();
        assertThat(chosen(pool, 4)).containsExactlyInAnyOrder(8001, 8002);
    }
}
