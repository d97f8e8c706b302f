package dev.tollgate.management;

/** One route, {@code tollgate:type=Route,name=<route>}: its target and its traffic. */
public interface RouteMXBean extends TrafficMXBean {
    String getPath();

    /** The route's service, or its weighted split as configured, e.g. {@code stable:95, canary:5}. */
    String getService();
}
