package dev.tollgate.config;

/** How a service's instance is picked, as {@code load-balancer} names it; parsed once with the configuration. */
public enum LoadBalancing {
    /** {@code round-robin}: each instance in turn. */
    ROUND_ROBIN("round-robin"),
    /** {@code weighted}: each instance in proportion to its weight. */
    WEIGHTED("weighted"),
    /** {@code least-request}: fewer outstanding requests per unit of weight, of two random instances. */
    LEAST_REQUEST("least-request");

    private final String label;

    LoadBalancing(String label) {
        this.label = label;
    }

    /** The configuration's name for it. */
    public String label() {
        return label;
    }
}
