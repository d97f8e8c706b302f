package dev.tollgate.management;

import dev.tollgate.observability.Traffic;
import java.util.function.Supplier;

/**
 * The {@link TrafficMXBean} part shared by the route and service MXBeans: each attribute reads the current
 * traffic of one route or service from the metrics registry. Thread-safe.
 */
abstract class TrafficBean implements TrafficMXBean {
    private final TrafficView traffic;

    TrafficBean(Supplier<Traffic> traffic) {
        this.traffic = new TrafficView(traffic);
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
