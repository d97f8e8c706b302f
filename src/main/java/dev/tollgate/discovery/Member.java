package dev.tollgate.discovery;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An instance inside a {@link ServicePool}: its weight, its outstanding leases and its passive-health state.
 * The counters survive snapshot changes (a new member for the same instance shares them). Thread-safe.
 */
final class Member {
    private final Instance instance;
    private final int weight;
    private final AtomicInteger outstanding;
    private final AtomicReference<PassiveHealth.State> health;

    Member(Instance instance, int weight) {
        this(instance, weight, new AtomicInteger(), new AtomicReference<>(PassiveHealth.State.HEALTHY));
    }

    private Member(Instance instance, int weight, AtomicInteger outstanding,
                   AtomicReference<PassiveHealth.State> health) {
        this.instance = instance;
        this.weight = weight;
        this.outstanding = outstanding;
        this.health = health;
    }

    /** The same instance with a new weight, sharing this member's counters and health. */
    Member withWeight(int newWeight) {
        return newWeight == weight ? this : new Member(instance, newWeight, outstanding, health);
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

    boolean isEjected(long nowMillis) {
        return health.get().ejectedUntil() > nowMillis;
    }
}
