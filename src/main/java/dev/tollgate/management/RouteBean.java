package dev.tollgate.management;

import dev.tollgate.config.RouteConfig;
import dev.tollgate.observability.GatewayMetrics;

/** {@link RouteMXBean} over one configured route and the metrics registry. Thread-safe. */
final class RouteBean extends TrafficBean implements RouteMXBean {
    private final RouteConfig route;

    RouteBean(RouteConfig route, GatewayMetrics metrics) {
        super(() -> metrics.routeTraffic(route.name()));
        this.route = route;
    }

    @Override
    public String getPath() {
        return route.match().path();
    }

    @Override
    public String getService() {
        return route.target().description();
    }
}
