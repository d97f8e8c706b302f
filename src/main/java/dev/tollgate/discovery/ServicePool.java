package dev.tollgate.discovery;

import dev.tollgate.config.LoadBalancing;
import dev.tollgate.config.PassiveHealthConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service's instances as the request path sees them: an immutable {@link State} (snapshot plus the members
 * built from it) in one {@link AtomicReference}, replaced whole when the snapshot changes, so choosing an
 * instance takes no lock and makes no network call. Members keep their outstanding count and health across
 * changes. Thread-safe.
 */
final class ServicePool {
    private static final Logger LOG = LoggerFactory.getLogger(ServicePool.class);

    /**
     * The pool's immutable state.
     *
     * @param snapshot the instance list and its freshness
     * @param members one per instance, in the snapshot's order
     * @param cumulative running sums of the members' weights (for the weighted balancer)
     * @param stride a number coprime with the total weight, spreading weighted picks
     */
    record State(InstanceSnapshot snapshot, Member[] members, int[] cumulative, int stride) {
    }

    private final String name;
    private final LoadBalancer balancer;
    private final PassiveHealth health;
    private final Clock clock;
    private final AtomicReference<State> state;
    private final AtomicLong cursor = new AtomicLong();
    private final LongAdder ejections = new LongAdder();

    ServicePool(String name, LoadBalancing loadBalancer, PassiveHealthConfig passiveHealth, Clock clock,
                InstanceSnapshot initial) {
        this.name = name;
        this.balancer = LoadBalancer.of(loadBalancer);
        this.health = new PassiveHealth(passiveHealth);
        this.clock = clock;
        this.state = new AtomicReference<>(build(initial, Map.of()));
    }

    String name() {
        return name;
    }

    InstanceSnapshot snapshot() {
        return state.get().snapshot();
    }

    /**
     * Installs a freshly confirmed instance list (not stale, confirmed now).
     *
     * @return whether the list differs from the one before
     */
    boolean update(List<WeightedInstance> instances) {
        InstanceSnapshot next = new InstanceSnapshot(instances, clock.instant(), false);
        State before = state.getAndUpdate(st -> build(next, byInstance(st.members())));
        return !before.snapshot().instances().equals(next.instances());
    }

    /** Keeps the instance list but marks it stale; returns whether it was fresh before. */
    boolean markStale() {
        State before = state.getAndUpdate(st -> st.snapshot().stale() ? st
                : new State(st.snapshot().markStale(), st.members(), st.cumulative(), st.stride()));
        return !before.snapshot().stale();
    }

    /**
     * Leases an instance not in {@code exclude} and not marked unhealthy by active health checks, preferring
     * instances that are not ejected by passive health; when every such instance is ejected (the list changed
     * under the ejection cap) it falls back to them rather than fail. An actively unhealthy instance is never
     * leased.
     *
     * @param loadBalancer the route's balancer, or null for the service's own
     * @return null when no healthy instance outside {@code exclude} exists
     */
    Lease choose(LoadBalancing loadBalancer, Set<Instance> exclude) {
        State st = state.get();
        if (st.members().length == 0) {
            return null;
        }
        LoadBalancer lb = loadBalancer == null ? balancer : LoadBalancer.of(loadBalancer);
        long now = clock.millis();
        long turn = cursor.getAndIncrement();
        Predicate<Member> allowed = exclude.isEmpty() ? Member::isActiveHealthy
                : m -> m.isActiveHealthy() && !exclude.contains(m.instance());
        Member m = lb.pick(st, turn, allowed.and(x -> !x.isEjected(now)));
        if (m == null) {
            m = lb.pick(st, turn, allowed);
            if (m == null) {
                return null;
            }
        }
        m.outstanding().incrementAndGet();
        return new Lease(this, m);
    }

    void report(Member m, InstanceOutcome outcome) {
        if (outcome == InstanceOutcome.SUCCESS) {
            health.onSuccess(m);
        } else if (outcome.isFailure()) {
            Duration ejected = health.onFailure(m, state.get().members(), clock.millis());
            if (ejected != null) {
                ejections.increment();
                LOG.warn("service={} instance={} ejected for {} ms after {} failures in a row (last: {})", name,
                        m.instance(), ejected.toMillis(), health.threshold(), outcome);
            }
        }
    }

    boolean isEjected(Member m) {
        return m.isEjected(clock.millis());
    }

    /** The instances ejected now. */
    List<Instance> ejected() {
        long now = clock.millis();
        List<Instance> out = new ArrayList<>();
        for (Member m : state.get().members()) {
            if (m.isEjected(now)) {
                out.add(m.instance());
            }
        }
        return out;
    }

    /** The instances active health checks have marked unhealthy now. */
    List<Instance> unhealthy() {
        List<Instance> out = new ArrayList<>();
        for (Member m : state.get().members()) {
            if (!m.isActiveHealthy()) {
                out.add(m.instance());
            }
        }
        return out;
    }

    /** The current members, in the snapshot's order (the health checks' work list). */
    List<Member> members() {
        return List.of(state.get().members());
    }

    /** Whether the instance is in the current snapshot. */
    boolean contains(Instance instance) {
        for (Member m : state.get().members()) {
            if (m.instance().equals(instance)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Takes over the active-health state of each instance that {@code previous} also has: a reload that replaced
     * that pool does not send traffic to an instance its checks found unhealthy.
     */
    void keepActiveHealth(ServicePool previous) {
        Map<Instance, Member> before = byInstance(previous.state.get().members());
        for (Member m : state.get().members()) {
            Member old = before.get(m.instance());
            if (old != null) {
                m.active().set(old.active().get());
            }
        }
    }

    /** Ejections since start-up. */
    long ejections() {
        return ejections.sum();
    }

    /** Outstanding leases per instance (for tests and the MXBean). */
    Map<Instance, Integer> outstanding() {
        Map<Instance, Integer> out = new HashMap<>();
        for (Member m : state.get().members()) {
            out.put(m.instance(), m.outstanding().get());
        }
        return out;
    }

    private static Map<Instance, Member> byInstance(Member[] members) {
        Map<Instance, Member> out = new HashMap<>();
        for (Member m : members) {
            out.put(m.instance(), m);
        }
        return out;
    }

    private static State build(InstanceSnapshot snapshot, Map<Instance, Member> previous) {
        List<WeightedInstance> list = snapshot.instances();
        Member[] members = new Member[list.size()];
        int[] cumulative = new int[Math.max(1, list.size())];
        int total = 0;
        for (int i = 0; i < members.length; i++) {
            WeightedInstance w = list.get(i);
            Member old = previous.get(w.instance());
            members[i] = old == null ? new Member(w.instance(), w.weight()) : old.withWeight(w.weight());
            total += w.weight();
            cumulative[i] = total;
        }
        return new State(snapshot, members, cumulative, stride(Math.max(1, total)));
    }

    /** A step near the golden section of {@code total} that is coprime with it. */
    static int stride(int total) {
        int s = Math.max(1, (int) (total * 0.618));
        while (gcd(s, total) != 1) {
            s++;
        }
        return s;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
