package dev.tollgate.management;

/** One upstream service, {@code tollgate:type=Service,name=<service>}: its instances and its traffic. */
public interface ServiceMXBean extends TrafficMXBean {
    String getDiscovery();

    int getInstanceCount();
}
