package dev.tollgate.testsupport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.ee.WebAppClassLoading;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The real WAR on a plain embedded Jetty 12, as a Jetty base runs it: a public connector, optionally a second
 * admin connector bound to 127.0.0.1, and the configuration in an external file named by the system property
 * {@code gateway.config} (so a test can change the file and reload). Optionally the WAR shares the test's
 * SLF4J and Logback (a server-wide logging setup), so a test can attach an appender to the access logger.
 * One at a time per JVM (the system property); {@link #close()} clears it.
 */
public final class WarServer implements AutoCloseable {
    private final Server server = new Server();
    private final ServerConnector publicConnector;
    private final ServerConnector adminConnector;
    private final WebAppContext app = new WebAppContext();
    private final Path config;
    private final HttpClient http = HttpClient.newHttpClient();

    /**
     * @param config the external properties file (already written)
     * @param admin add an admin connector on 127.0.0.1
     * @param sharedLogging load SLF4J and Logback from the server (the test's), not from the WAR
     */
    public WarServer(Path config, boolean admin, boolean sharedLogging) throws Exception {
        this.config = config;
        publicConnector = new ServerConnector(server);
        publicConnector.setHost("127.0.0.1");
        server.addConnector(publicConnector);
        if (admin) {
            adminConnector = new ServerConnector(server);
            adminConnector.setHost("127.0.0.1");
            server.addConnector(adminConnector);
        } else {
            adminConnector = null;
        }
        if (sharedLogging) {
            WebAppClassLoading.addProtectedClasses(server, "org.slf4j.", "ch.qos.logback.", "co.elastic.logging.");
        }
        app.setContextPath("/");
        app.setWar(System.getProperty("tollgate.war", "target/tollgate.war"));
        app.setThrowUnavailableOnStartupException(true);
        server.setHandler(app);
    }

    /**
     * Binds the connectors first (to learn the admin port, written where the properties say {@code ${ADMIN_PORT}}),
     * then starts the server with the WAR.
     */
    public WarServer start(String properties) throws Exception {
        publicConnector.open();
        if (adminConnector != null) {
            adminConnector.open();
        }
        rewrite(properties);
        System.setProperty("gateway.config", config.toString());
        server.start();
        return this;
    }

    public int publicPort() {
        return publicConnector.getLocalPort();
    }

    public int adminPort() {
        return adminConnector == null ? -1 : adminConnector.getLocalPort();
    }

    public URI publicUri(String path) {
        return URI.create("http://127.0.0.1:" + publicPort() + path);
    }

    public URI adminUri(String path) {
        return URI.create("http://127.0.0.1:" + adminPort() + path);
    }

    public WebAppContext app() {
        return app;
    }

    public HttpResponse<String> get(URI uri, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Replaces the external configuration file (a reload reads it again). */
    public void rewrite(String properties) throws Exception {
        Files.writeString(config, GatewayDeployment.withTestAccessLog(
                properties.replace("${ADMIN_PORT}", String.valueOf(adminPort()))));
    }

    @Override
    public void close() throws Exception {
        System.clearProperty("gateway.config");
        server.stop();
    }
}
