package dev.tollgate.discovery;

/**
 * One upstream service's discovery state, registered as {@code tollgate:type=Discovery,name=<service>}.
 * Read-only attributes plus one audited operation.
 */
public interface DiscoveryMXBean {
    /** {@code static} or {@code consul}. */
    String getPolicy();

    /** The load balancer of the service ({@code round-robin}, {@code weighted}, {@code least-request}). */
    String getLoadBalancer();

    /** The instances in the snapshot, as {@code scheme://host:port} with their weight. */
    String[] getInstances();

    /** The instances passive health has ejected now. */
    String[] getEjectedInstances();

    /** The active health check ({@code GET <path> every ...}), or {@code none}. */
    String getHealthCheck();

    /** The instances the active health check has marked unhealthy now (never used while so). */
    String[] getUnhealthyInstances();

    /** Seconds since the source last confirmed the snapshot. */
    long getSnapshotAgeSeconds();

    /** Whether the last attempt to refresh the snapshot from Consul failed (always false for static). */
    boolean isStale();

    /** Failed Consul queries since start-up. */
    long getWatcherErrors();

    /** Ejections since start-up. */
    long getEjections();

    /** Reads the service from Consul now and installs the answer; audited. */
    String resync();
}
