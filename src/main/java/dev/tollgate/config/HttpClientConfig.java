package dev.tollgate.config;

import java.time.Duration;

/**
 * The one pooled HttpClient shared by all routes.
 *
 * @param maxConnections pool size over all upstream instances
 * @param maxConnectionsPerRoute pool size per upstream instance (host and port)
 * @param idleTimeout pooled connections idle longer than this are closed
 * @param validateAfterInactivity a pooled connection idle this long is checked before reuse
 * @param poolTimeout longest wait for a pooled connection (503 beyond)
 * @param connectTimeout default connect timeout of a route
 * @param responseTimeout default response timeout of a route
 * @param ioThreads I/O reactor threads that run every upstream connection; 0 for one per available processor
 */
public record HttpClientConfig(int maxConnections, int maxConnectionsPerRoute, Duration idleTimeout,
                               Duration validateAfterInactivity, Duration poolTimeout,
                               Duration connectTimeout, Duration responseTimeout, int ioThreads) {
    /** The I/O reactor thread count to start: {@link #ioThreads}, or one per available processor. */
    public int ioThreadCount() {
        return ioThreads > 0 ? ioThreads : Math.max(1, Runtime.getRuntime().availableProcessors());
    }
}
