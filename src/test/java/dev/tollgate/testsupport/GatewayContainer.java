package dev.tollgate.testsupport;

import java.time.Duration;

/**
 * A servlet container running the WAR in its own JVM, configured with a gateway properties file: the stock
 * Jetty distribution ({@link JettyHomeServer}) or WildFly ({@link WildFlyServer}).
 */
public abstract class GatewayContainer implements AutoCloseable {
    private final ServerProcess process;
    private final int httpPort;

    protected GatewayContainer(ServerProcess process, int httpPort) {
        this.process = process;
        this.httpPort = httpPort;
    }

    /** The clear-text HTTP port. */
    public int port() {
        return httpPort;
    }

    /** The WAR's context path: {@code ""} at the root, else e.g. {@code /tollgate}. */
    public abstract String contextPath();

    /** What the server wrote so far. */
    public String log() {
        return process.log();
    }

    /** SIGTERM, as an orchestrator stops it; waits for the JVM to exit. */
    @Override
    public void close() throws Exception {
        process.process().destroy();
        process.awaitExit(Duration.ofMinutes(1));
    }
}
