package dev.tollgate.management;

import dev.tollgate.config.RouteConfig;
import dev.tollgate.observability.GatewayMetrics;

/** {@link RouteMXBean} over one configured route and the metrics registry. Thread-safe. */
final class RouteBean implements RouteMXBean {
    private final RouteConfig route;
    private final TrafficView traffic;

    RouteBean(RouteConfig route, GatewayMetrics metrics) {
        this.route = route;
        this.traffic = new TrafficView(() -> metrics.routeTraffic(route.name()));
    }

    @Override
    public String getPath() {
        return route.path();
    }

    @Override
    public String getService() {
        return route.service();
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
