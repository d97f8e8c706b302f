package dev.tollgate.management;

/** One upstream service, {@code tollgate:type=Service,name=<service>}: its instances and its traffic. */
public interface ServiceMXBean extends TrafficMXBean {
    String getDiscovery();

    int getInstanceCount();

    /**
     * Whether the service's resilience guard is on; when off ({@code resilience.enabled = false}) the service has
     * no {@code tollgate:type=Breaker} MXBean and no breaker, bulkhead or retry meters.
     */
    boolean isResilienceEnabled();
}
