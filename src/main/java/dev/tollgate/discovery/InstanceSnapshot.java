package dev.tollgate.discovery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the gateway knows about a service's instances: the list, when its source last confirmed it, and
 * whether the source could not be reached since (then the list is kept, marked stale). Immutable.
 *
 * @param instances the healthy instances, in a stable order
 * @param confirmedAt when the source (configuration, Consul, or the snapshot file's writer) last confirmed it
 * @param stale the last attempt to refresh it failed
 */
public record InstanceSnapshot(List<WeightedInstance> instances, Instant confirmedAt, boolean stale) {
    public InstanceSnapshot {
        instances = List.copyOf(instances);
    }

    public Duration age(Instant now) {
        Duration d = Duration.between(confirmedAt, now);
        return d.isNegative() ? Duration.ZERO : d;
    }

    InstanceSnapshot markStale() {
        return stale ? this : new InstanceSnapshot(instances, confirmedAt, true);
    }
}
