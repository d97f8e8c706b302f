package dev.tollgate.management;

/**
 * Requests and latency of a route or an upstream service: counts since start-up, per status class; mean over
 * all requests; maximum and percentiles over Micrometer's recent window (about two minutes), all status classes
 * together.
 */
public interface TrafficMXBean {
    long getRequests();

    long getRequests1xx();

    long getRequests2xx();

    long getRequests3xx();

    long getRequests4xx();

    long getRequests5xx();

    double getMeanMillis();

    double getMaxMillis();

    double getP50Millis();

    double getP95Millis();

    double getP99Millis();
}
