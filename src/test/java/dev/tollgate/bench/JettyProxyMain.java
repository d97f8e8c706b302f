package dev.tollgate.bench;

import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The benchmark's baseline JVM proxy: Jetty 12's own {@code ProxyServlet.Transparent} (ee10) on embedded Jetty,
 * with Jetty's defaults, forwarding everything to one upstream. Listens on 127.0.0.1 only and runs until the
 * process is stopped; {@code bench/run.sh} waits for the line starting with {@code READY}.
 *
 * <p>Usage: {@code JettyProxyMain <port> <upstream URI>}, e.g. {@code 18083 http://127.0.0.1:18081}.
 */
public final class JettyProxyMain {
    private JettyProxyMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: JettyProxyMain <port> <upstream URI>");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        String upstream = args[1];

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder proxy = new ServletHolder("proxy", ProxyServlet.Transparent.class);
        proxy.setInitParameter("proxyTo", upstream);
        proxy.setInitOrder(1);
        context.addServlet(proxy, "/*");
        server.setHandler(context);
        server.setStopAtShutdown(true);
        server.setStopTimeout(5_000);
        try {
            server.start();
        } catch (Exception e) {
            System.err.println("Jetty ProxyServlet failed to start: " + e);
            System.exit(1);
        }
        System.out.println("READY jetty-proxy http://127.0.0.1:" + connector.getLocalPort() + " -> " + upstream
                + " (Java " + Runtime.version() + ")");
        server.join();
    }
}
