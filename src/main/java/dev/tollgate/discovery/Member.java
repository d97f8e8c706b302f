package dev.tollgate.discovery;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An instance inside a {@link ServicePool}: its weight, its outstanding leases, its passive-health and its
 * active-health state. The counters and states survive snapshot changes (a new member for the same instance
 * shares them); they go with the member when its instance leaves the snapshot. Thread-safe.
 */
final class Member {
    private final Instance instance;
    private final int weight;
    private final AtomicInteger outstanding;
    private final AtomicReference<PassiveHealth.State> health;
    private final AtomicReference<ActiveHealth.State> active;

    Member(Instance instance, int weight) {
        this(instance, weight, new AtomicInteger(), new AtomicReference<>(PassiveHealth.State.HEALTHY),
                new AtomicReference<>(ActiveHealth.State.UNKNOWN));
    }

    private Member(Instance instance, int weight, AtomicInteger outstanding,
                   AtomicReference<PassiveHealth.State> health, AtomicReference<ActiveHealth.State> active) {
        this.instance = instance;
        this.weight = weight;
        this.outstanding = outstanding;
        this.health = health;
        this.active = active;
    }

    /** The same instance with a new weight, sharing this member's counters and health. */
    Member withWeight(int newWeight) {
        return newWeight == weight ? this : new Member(instance, newWeight, outstanding, health, active);
    }

    Instance instance() {
        return instance;
    }

    int weight() {
        return weight;
    }

    AtomicInteger outstanding() {
        return outstanding;
    }

    AtomicReference<PassiveHealth.State> health() {
        return health;
    }

    AtomicReference<ActiveHealth.State> active() {
        return active;
    }

    /** Whether active health checks have not marked the instance unhealthy (always true without them). */
    boolean isActiveHealthy() {
        return active.get().healthy();
    }

    boolean isEjected(long nowMillis) {
        return health.get().ejectedUntil() > nowMillis;
    }
}
