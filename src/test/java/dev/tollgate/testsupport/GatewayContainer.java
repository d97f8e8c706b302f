package dev.tollgate.testsupport;

/**
 * A servlet container running the WAR in its own JVM, configured with a gateway properties file: the stock
 * Jetty distribution ({@link JettyHomeServer}) or WildFly ({@link WildFlyServer}).
 */
public interface GatewayContainer extends AutoCloseable {
    /** The clear-text HTTP port. */
    int port();

    /** The WAR's context path: {@code ""} at the root, else {@code /tollgate}. */
    String contextPath();

    /** What the server wrote so far. */
    String log();

    /** SIGTERM, as an orchestrator stops it; waits for the JVM to exit. */
    @Override
    void close() throws Exception;
}
