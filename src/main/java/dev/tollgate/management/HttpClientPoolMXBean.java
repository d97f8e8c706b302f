package dev.tollgate.management;

/** The upstream connection pool, {@code tollgate:type=HttpClientPool}: connections by state and its limits. */
public interface HttpClientPoolMXBean {
    int getLeased();

    int getAvailable();

    int getPending();

    int getMax();

    int getMaxPerRoute();
}
