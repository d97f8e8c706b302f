package dev.tollgate.testsupport;

import dev.tollgate.server.ProblemErrorHandler;
import java.io.File;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The README's demo: the built WAR on embedded Jetty 12 at http://localhost:8080 (or {@code -Dport=N}) with the
 * demo configuration, in front of a sample upstream ({@link UpstreamServer}) on port 9081 (or
 * {@code -Dupstream.port=N}) that {@link DemoUpstreamControl} on 127.0.0.1:9082 ({@code -Dcontrol.port=N}) can
 * stop and start, with the admin endpoints on 127.0.0.1:8081 (or {@code -Dadmin.port=N}). Runs until
 * interrupted.
 */
public final class DemoMain {
    private DemoMain() {
    }

    public static void main(String[] args) throws Exception {
        String war = args[0];
        String config = args[1];
        int port = Integer.getInteger("port", 8080);
        int adminPort = Integer.getInteger("admin.port", 8081);
        int upstreamPort = Integer.getInteger("upstream.port", 9081);
        UpstreamServer upstream = new UpstreamServer("demo-upstream", upstreamPort);
        int controlPort = Integer.getInteger("control.port", 9082);
        DemoUpstreamControl control = new DemoUpstreamControl(upstream, "demo-upstream", upstreamPort, controlPort);
        System.setProperty("gateway.config", new File(config).getAbsolutePath());
        System.setProperty("gateway.services.demo.instances", upstream.uri());
        System.setProperty("gateway.admin.port", String.valueOf(adminPort));

        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setPort(port);
        server.addConnector(connector);
        // the admin endpoints' own connector, reachable from the local machine only (docs/observability.md)
        ServerConnector admin = new ServerConnector(server, new HttpConnectionFactory(http));
        admin.setHost("127.0.0.1");
        admin.setPort(adminPort);
        server.addConnector(admin);
        WebAppContext app = new WebAppContext();
        app.setContextPath("/");
        app.setWar(war);
        app.setThrowUnavailableOnStartupException(true);
        server.setHandler(app);
        server.setErrorHandler(new ProblemErrorHandler());
        server.setStopAtShutdown(true);
        server.setStopTimeout(10_000);
        try {
            server.start();
        } catch (Exception e) {
            System.err.println("Tollgate demo failed to start: " + e.getMessage());
            control.close();
            System.exit(1);
        }
        System.out.println();
        System.out.println("Tollgate demo ready at http://localhost:" + port + "  (sample upstream at " + upstream.uri()
                + "; admin endpoints at http://127.0.0.1:" + adminPort + "/_tollgate/; upstream switch at http://127.0.0.1:"
                + controlPort + "/upstream/stop and /upstream/start; Ctrl-C stops it)");
        server.join();
        control.close();
    }
}
