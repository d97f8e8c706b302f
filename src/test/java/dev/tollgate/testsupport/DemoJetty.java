package dev.tollgate.testsupport;

import dev.tollgate.server.HeadDeadlineConnectionFactory;
import dev.tollgate.server.ProblemErrorHandler;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The demo's servlet container: the WAR at {@code /} on the Jetty distribution's own jars (12.1, whose ee10
 * container switches protocols for WebSocket routes), with a public connector and the admin endpoints' own
 * connector on 127.0.0.1. {@link DemoMain} runs it in a JVM of its own; it uses only API that Jetty 12.0 and 12.1
 * share. Arguments: the WAR, the public port, the admin port, the line to print once started.
 */
public final class DemoJetty {
    private DemoJetty() {
    }

    public static void main(String[] args) throws Exception {
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        // the connector of server-config/jetty-base: a deadline for request heads, and WebSocket handshakes without
        // Content-Length (as browsers send them) switch protocols with their input open
        ServerConnector connector = new ServerConnector(server, new HeadDeadlineConnectionFactory(http));
        connector.setPort(Integer.parseInt(args[1]));
        server.addConnector(connector);
        // the admin endpoints' own connector, reachable from the local machine only (docs/observability.md)
        ServerConnector admin = new ServerConnector(server, new HttpConnectionFactory(http));
        admin.setHost("127.0.0.1");
        admin.setPort(Integer.parseInt(args[2]));
        server.addConnector(admin);
        WebAppContext app = new WebAppContext();
        app.setContextPath("/");
        app.setWar(args[0]);
        app.setThrowUnavailableOnStartupException(true);
        server.setHandler(app);
        server.setErrorHandler(new ProblemErrorHandler());
        server.setStopAtShutdown(true);
        server.setStopTimeout(10_000);
        try {
            server.start();
        } catch (Exception e) {
            System.err.println("Tollgate demo failed to start: " + e.getMessage());
            System.exit(1);
        }
        System.out.println();
        System.out.println(args[3]);
        server.join();
    }
}
