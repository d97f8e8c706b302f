package dev.tollgate.management;

/**
 * The gateway as a whole, {@code tollgate:type=Gateway}: what runs, and the configuration reload.
 */
public interface GatewayMXBean {
    int getRouteCount();

    int getServiceCount();

    int getInFlight();

    boolean isDraining();

    /** WebSocket tunnels open now. */
    int getOpenTunnels();

    String getConfigSource();

    String getLastReload();

    /**
     * Re-reads the configuration from its sources, validates it and swaps the routes atomically; in-flight
     * requests finish on the route they matched.
     *
     * @return what changed
     * @throws IllegalArgumentException listing every problem; the running configuration is kept
     */
    String reloadConfig();
}
