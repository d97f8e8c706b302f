package dev.tollgate.management;

import dev.tollgate.config.ServiceConfig;
import dev.tollgate.observability.GatewayMetrics;

/** {@link ServiceMXBean} over one configured upstream service and the metrics registry. Thread-safe. */
final class ServiceBean implements ServiceMXBean {
    private final ServiceConfig service;
    private final TrafficView traffic;

    ServiceBean(ServiceConfig service, GatewayMetrics metrics) {
        this.service = service;
        this.traffic = new TrafficView(() -> metrics.serviceTraffic(service.name()));
    }

    @Override
    public String getDiscovery() {
        return service.discovery();
    }

    @Override
    public int getInstanceCount() {
        return service.instances().size();
    }

    @Override
    public long getRequests() {
        return traffic.now().total();
    }

    @Override
    public long getRequests1xx() {
        return traffic.now().count(1);
    }

    @Override
    public long getRequests2xx() {
        return traffic.now().count(2);
    }

    @Override
    public long getRequests3xx() {
        return traffic.now().count(3);
    }

    @Override
    public long getRequests4xx() {
        return traffic.now().count(4);
    }

    @Override
    public long getRequests5xx() {
        return traffic.now().count(5);
    }

    @Override
    public double getMeanMillis() {
        return TrafficView.round(traffic.now().meanMillis());
    }

    @Override
    public double getMaxMillis() {
        return TrafficView.round(traffic.now().maxMillis());
    }

    @Override
    public double getP50Millis() {
        return TrafficView.round(traffic.now().p50Millis());
    }

    @Override
    public double getP95Millis() {
        return TrafficView.round(traffic.now().p95Millis());
    }

    @Override
    public double getP99Millis() {
        return TrafficView.round(traffic.now().p99Millis());
    }
}
