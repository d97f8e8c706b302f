package dev.tollgate.management;

/** One route, {@code tollgate:type=Route,name=<route>}: its target and its traffic. */
public interface RouteMXBean extends TrafficMXBean {
    String getPath();

    String getService();
}
