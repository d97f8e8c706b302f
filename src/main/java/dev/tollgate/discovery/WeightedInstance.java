package dev.tollgate.discovery;

/**
 * An instance as the snapshot lists it, with its weight for the {@code weighted} and {@code least-request}
 * balancers.
 *
 * @param instance where it is
 * @param weight relative share of requests, at least 1
 */
public record WeightedInstance(Instance instance, int weight) {
    public WeightedInstance {
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be at least 1: " + weight);
        }
    }
}
