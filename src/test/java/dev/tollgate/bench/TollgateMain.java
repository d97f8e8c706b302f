package dev.tollgate.bench;

import java.io.File;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The benchmark's Tollgate JVM: the built WAR on embedded Jetty 12 (as {@code DemoMain} deploys it, without the
 * sample upstream), configured by the given properties file. Listens on 127.0.0.1 only and runs until the
 * process is stopped; {@code bench/run.sh} waits for the line starting with {@code READY}.
 *
 * <p>Usage: {@code TollgateMain <port> <war> <config.properties>}.
 */
public final class TollgateMain {
    private TollgateMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: TollgateMain <port> <war> <config.properties>");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        String war = args[1];
        System.setProperty("gateway.config", new File(args[2]).getAbsolutePath());

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        WebAppContext app = new WebAppContext();
        app.setContextPath("/");
        app.setWar(war);
        app.setThrowUnavailableOnStartupException(true);
        server.setHandler(app);
        server.setStopAtShutdown(true);
        server.setStopTimeout(5_000);
        try {
            server.start();
        } catch (Exception e) {
            System.err.println("Tollgate failed to start: " + e);
            System.exit(1);
        }
        System.out.println("READY tollgate http://127.0.0.1:" + connector.getLocalPort() + " war=" + war
                + " (Java " + Runtime.version() + ")");
        server.join();
    }
}
