package dev.tollgate.management;

import dev.tollgate.config.ServiceConfig;
import dev.tollgate.observability.GatewayMetrics;
import java.util.function.IntSupplier;

/** {@link ServiceMXBean} over one upstream service, its discovery snapshot and the metrics registry. Thread-safe. */
final class ServiceBean extends TrafficBean implements ServiceMXBean {
    private final ServiceConfig service;
    private final IntSupplier instances;

    /**
     * @param instances how many instances the service's current snapshot holds (static or from Consul)
     */
    ServiceBean(ServiceConfig service, GatewayMetrics metrics, IntSupplier instances) {
        super(() -> metrics.serviceTraffic(service.name()));
        this.service = service;
        this.instances = instances;
    }

    @Override
    public String getDiscovery() {
        return service.discovery().label();
    }

    @Override
    public int getInstanceCount() {
        return instances.getAsInt();
    }

    @Override
    public boolean isResilienceEnabled() {
        return service.resilience().enabled();
    }
}
