package dev.tollgate.discovery;

import static dev.tollgate.discovery.ServicePoolTest.inst;
import static dev.tollgate.discovery.ServicePoolTest.weighted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.LoadBalancing;
import dev.tollgate.config.PassiveHealthConfig;
import dev.tollgate.testsupport.FakeClock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Ejection of failing instances, with a manual clock: no sleeps. */
class PassiveHealthTest {
    private final FakeClock clock = new FakeClock();

    private ServicePool pool(int instances, int maxPercent) {
        int[] w = new int[instances];
        java.util.Arrays.fill(w, 1);
        return new ServicePool("orders", LoadBalancing.ROUND_ROBIN,
                new PassiveHealthConfig(3, Duration.ofSeconds(10), Duration.ofSeconds(35), maxPercent), clock,
                new InstanceSnapshot(weighted(w), clock.instant(), false));
    }

    /** Sends {@code n} requests to the given instance (excluding the others) with the outcome. */
    private static void fail(ServicePool pool, Instance target, int n, InstanceOutcome outcome) {
        for (int i = 0; i < n; i++) {
            Set<Instance> others = new HashSet<>();
            pool.snapshot().instances().forEach(w -> others.add(w.instance()));
            others.remove(target);
            Lease l = pool.choose(null, others);
            assertThat(l.instance()).isEqualTo(target);
            l.release(outcome);
        }
    }

    private static Set<Integer> chosen(ServicePool pool, int n) {
        Set<Integer> out = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Lease l = pool.choose(null, Set.of());
            out.add(l.instance().port());
            l.release(InstanceOutcome.NOT_COUNTED);
        }
        return out;
    }

    @Test
    void ejectsAfterConsecutiveFailuresAndTakesItBackWhenTheTimeIsUp() {
        ServicePool pool = pool(3, 50);
        fail(pool, inst(8001), 2, InstanceOutcome.REFUSED);
        assertThat(pool.ejected()).isEmpty();
        fail(pool, inst(8001), 1, InstanceOutcome.TIMED_OUT);
        assertThat(pool.ejected()).containsExactly(inst(8001));
        assertThat(pool.ejections()).isEqualTo(1);
        assertThat(chosen(pool, 30)).containsExactlyInAnyOrder(8002, 8003);

        clock.advance(Duration.ofSeconds(10));
        assertThat(pool.ejected()).isEmpty();
        assertThat(chosen(pool, 30)).contains(8001);
    }

    @Test
    void aSuccessInBetweenResetsTheCount() {
        ServicePool pool = pool(3, 50);
        fail(pool, inst(8001), 2, InstanceOutcome.REFUSED);
        fail(pool, inst(8001), 1, InstanceOutcome.SUCCESS);
        fail(pool, inst(8001), 2, InstanceOutcome.FAILED);
        assertThat(pool.ejected()).isEmpty();
    }

    @Test
    void notCountedOutcomesNeitherFailNorHeal() {
        ServicePool pool = pool(3, 50);
        fail(pool, inst(8001), 2, InstanceOutcome.REFUSED);
        fail(pool, inst(8001), 5, InstanceOutcome.NOT_COUNTED);
        fail(pool, inst(8001), 1, InstanceOutcome.REFUSED);
        assertThat(pool.ejected()).containsExactly(inst(8001));
    }

    @Test
    void ejectionTimeDoublesWhileTheInstanceKeepsFailingUpToTheMaximum() {
        ServicePool pool = pool(2, 50);
        List<Duration> lengths = List.of(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(35),
                Duration.ofSeconds(35));
        for (Duration length : lengths) {
            fail(pool, inst(8001), 3, InstanceOutcome.REFUSED);
            assertThat(pool.ejected()).containsExactly(inst(8001));
            clock.advance(length.minusMillis(1));
            assertThat(pool.ejected()).as("still ejected just before %s", length).containsExactly(inst(8001));
            clock.advance(Duration.ofMillis(1));
            assertThat(pool.ejected()).isEmpty();
        }
        fail(pool, inst(8001), 1, InstanceOutcome.SUCCESS);
        fail(pool, inst(8001), 3, InstanceOutcome.REFUSED);
        clock.advance(Duration.ofSeconds(10));
        assertThat(pool.ejected()).as("a success resets the growth").isEmpty();
    }

    @Test
    void neverEjectsMoreThanTheConfiguredShare() {
        ServicePool pool = pool(4, 50);
        fail(pool, inst(8001), 3, InstanceOutcome.REFUSED);
        fail(pool, inst(8002), 3, InstanceOutcome.REFUSED);
        fail(pool, inst(8003), 3, InstanceOutcome.REFUSED);
        assertThat(pool.ejected()).containsExactlyInAnyOrder(inst(8001), inst(8002));
        assertThat(chosen(pool, 40)).containsExactlyInAnyOrder(8003, 8004);
    }

    @Test
    void theOnlyInstanceIsNeverEjected() {
        ServicePool pool = pool(1, 50);
        fail(pool, inst(8001), 10, InstanceOutcome.REFUSED);
        assertThat(pool.ejected()).isEmpty();
        assertThat(pool.choose(null, Set.of())).isNotNull();
    }

    @Test
    void ejectedInstancesServeWhenNothingElseIsLeft() {
        ServicePool pool = pool(2, 50);
        fail(pool, inst(8001), 3, InstanceOutcome.REFUSED);
        pool.update(List.of(new WeightedInstance(inst(8001), 1)));
        Lease l = pool.choose(null, Set.of());
        assertThat(l.instance()).isEqualTo(inst(8001));
        assertThat(pool.ejected()).containsExactly(inst(8001));
    }

    @Test
    void ejectionStateSurvivesASnapshotUpdate() {
        ServicePool pool = pool(3, 50);
        fail(pool, inst(8001), 3, InstanceOutcome.REFUSED);
        pool.update(weighted(2, 1, 1));
        assertThat(pool.ejected()).containsExactly(inst(8001));
    }
}
