package dev.tollgate.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.LoadBalancing;
import dev.tollgate.config.PassiveHealthConfig;
import dev.tollgate.testsupport.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Load balancing over a service's snapshot: distribution, weights, least request, exclusions, updates. */
class ServicePoolTest {
    private static final PassiveHealthConfig HEALTH = new PassiveHealthConfig(3, Duration.ofSeconds(10),
            Duration.ofMinutes(5), 50);
    private final FakeClock clock = new FakeClock();

    static Instance inst(int port) {
        return new Instance("http", "10.0.0.1", port, "");
    }

    static List<WeightedInstance> weighted(int... weights) {
        List<WeightedInstance> out = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            out.add(new WeightedInstance(inst(8001 + i), weights[i]));
        }
        return out;
    }

    private ServicePool pool(LoadBalancing lb, List<WeightedInstance> instances) {
        return new ServicePool("orders", lb, HEALTH, clock, new InstanceSnapshot(instances, clock.instant(), false));
    }

    private static Map<Integer, Integer> picks(ServicePool pool, LoadBalancing lb, int n) {
        Map<Integer, Integer> out = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Lease l = pool.choose(lb, Set.of());
            out.merge(l.instance().port(), 1, Integer::sum);
            l.release(InstanceOutcome.SUCCESS);
        }
        return out;
    }

    @Test
    void roundRobinVisitsEachInstanceInTurn() {
        ServicePool pool = pool(LoadBalancing.ROUND_ROBIN, weighted(1, 1, 1));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Lease l = pool.choose(null, Set.of());
            order.add(l.instance().port());
            l.release(InstanceOutcome.SUCCESS);
        }
        assertThat(order).containsExactly(8001, 8002, 8003, 8001, 8002, 8003);
    }

    @Test
    void weightedGivesEachInstanceItsShareInEveryCycleInterleaved() {
        ServicePool pool = pool(LoadBalancing.WEIGHTED, weighted(5, 2, 1));
        assertThat(picks(pool, null, 8 * 100)).containsExactlyInAnyOrderEntriesOf(Map.of(8001, 500, 8002, 200, 8003,
                100));
        List<Integer> cycle = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Lease l = pool.choose(null, Set.of());
            cycle.add(l.instance().port());
            l.release(InstanceOutcome.SUCCESS);
        }
        int longestRun = 1;
        int run = 1;
        for (int i = 1; i < cycle.size(); i++) {
            run = cycle.get(i).equals(cycle.get(i - 1)) ? run + 1 : 1;
            longestRun = Math.max(longestRun, run);
        }
        assertThat(longestRun).as("heavy instance not hit in one run: %s", cycle).isLessThan(5);
    }

    @Test
    void leastRequestNeverPicksTheBusiestOfThreeWhileOthersAreIdle() {
        ServicePool pool = pool(LoadBalancing.LEAST_REQUEST, weighted(1, 1, 1));
        List<Lease> held = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            held.add(pool.choose(null, Set.of(inst(8002), inst(8003))));
        }
        Map<Integer, Integer> after = picks(pool, null, 300);
        assertThat(after).doesNotContainKey(8001);
        assertThat(after.get(8002)).isGreaterThan(50);
        assertThat(after.get(8003)).isGreaterThan(50);
        held.forEach(l -> l.release(InstanceOutcome.SUCCESS));
        assertThat(pool.outstanding()).containsEntry(inst(8001), 0);
    }

    @Test
    void leastRequestSpreadsIdleLoadEvenlyAndRespectsWeights() {
        ServicePool pool = pool(LoadBalancing.LEAST_REQUEST, weighted(3, 1));
        List<Lease> held = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            held.add(pool.choose(null, Set.of()));
        }
        Map<Instance, Integer> load = pool.outstanding();
        assertThat(load.get(inst(8001))).isBetween(280, 320);
        held.forEach(l -> l.release(InstanceOutcome.NOT_COUNTED));
    }

    @Test
    void releasingTwiceCountsOnce() {
        ServicePool pool = pool(LoadBalancing.LEAST_REQUEST, weighted(1));
        Lease l = pool.choose(null, Set.of());
        l.release(InstanceOutcome.SUCCESS);
        l.release(InstanceOutcome.SUCCESS);
        assertThat(pool.outstanding()).containsEntry(inst(8001), 0);
    }

    @Test
    void excludedInstancesAreNotChosenAndNullWhenNoneIsLeft() {
        for (LoadBalancing lb : LoadBalancing.values()) {
            ServicePool pool = pool(lb, weighted(1, 2, 1));
            for (int i = 0; i < 20; i++) {
                Lease l = pool.choose(null, Set.of(inst(8001), inst(8002)));
                assertThat(l.instance()).as(lb.label()).isEqualTo(inst(8003));
                l.release(InstanceOutcome.SUCCESS);
            }
            assertThat(pool.choose(null, Set.of(inst(8001), inst(8002), inst(8003)))).as(lb.label()).isNull();
        }
    }

    @Test
    void routeBalancerOverridesTheServices() {
        ServicePool pool = pool(LoadBalancing.LEAST_REQUEST, weighted(1, 1));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Lease l = pool.choose(LoadBalancing.ROUND_ROBIN, Set.of());
            order.add(l.instance().port());
            l.release(InstanceOutcome.SUCCESS);
        }
        assertThat(order).containsExactly(8001, 8002, 8001, 8002);
    }

    @Test
    void emptySnapshotHasNoInstance() {
        assertThat(pool(LoadBalancing.LEAST_REQUEST, List.of()).choose(null, Set.of())).isNull();
    }

    @Test
    void updateKeepsOutstandingCountsAndReportsChanges() {
        ServicePool pool = pool(LoadBalancing.LEAST_REQUEST, weighted(1, 1));
        Lease held = pool.choose(null, Set.of());
        assertThat(pool.update(weighted(1, 1))).isFalse();
        List<WeightedInstance> more = new ArrayList<>(weighted(1, 1, 1));
        assertThat(pool.update(more)).isTrue();
        assertThat(pool.outstanding()).containsEntry(held.instance(), 1);
        held.release(InstanceOutcome.SUCCESS);
        assertThat(pool.outstanding()).containsEntry(held.instance(), 0);
    }

    @Test
    void staleSnapshotKeepsItsInstancesAndAges() {
        ServicePool pool = pool(LoadBalancing.ROUND_ROBIN, weighted(1));
        clock.advance(Duration.ofSeconds(42));
        assertThat(pool.markStale()).isTrue();
        assertThat(pool.markStale()).isFalse();
        assertThat(pool.snapshot().stale()).isTrue();
        assertThat(pool.snapshot().age(clock.instant())).isEqualTo(Duration.ofSeconds(42));
        assertThat(pool.choose(null, Set.of())).isNotNull();
        pool.update(weighted(1));
        assertThat(pool.snapshot().stale()).isFalse();
        assertThat(pool.snapshot().age(clock.instant())).isZero();
    }

    @Test
    void strideIsCoprimeWithTheTotal() {
        for (int total = 1; total < 200; total++) {
            int s = ServicePool.stride(total);
            assertThat(java.math.BigInteger.valueOf(s).gcd(java.math.BigInteger.valueOf(total)).intValue())
                    .isEqualTo(1);
        }
    }
}
