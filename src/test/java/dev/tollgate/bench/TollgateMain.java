package dev.tollgate.bench;

import java.io.File;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/**
 * The benchmark's Tollgate JVM: the built WAR on embedded Jetty 12 (as {@code DemoMain} deploys it, without the
 * sample upstream), configured by the given properties file. Listens on 127.0.0.1 only and runs until the
 * process is stopped; the bench scripts wait for the line starting with {@code READY}.
 *
 * <p>Usage: {@code TollgateMain <port> <war> <config.properties> [platform|virtual]}. {@code platform} (the
 * default) is Jetty's default {@code QueuedThreadPool}. {@code virtual} (Java 21 or later) keeps that pool for
 * Jetty's selectors and acceptors and gives it a {@link VirtualThreadPool} as its virtual-threads executor, so
 * that the servlet filters and the proxy servlet run on virtual threads, the shape Jetty's programming guide
 * recommends; the virtual pool's bound is the system property {@code bench.virtual-threads.max} (default 4096).
 */
public final class TollgateMain {
    private TollgateMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 4 || (args.length == 4 && !args[3].matches("platform|virtual"))) {
            System.err.println("usage: TollgateMain <port> <war> <config.properties> [platform|virtual]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        String war = args[1];
        boolean virtual = args.length == 4 && args[3].equals("virtual");
        System.setProperty("gateway.config", new File(args[2]).getAbsolutePath());

        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("jetty");
        if (virtual) {
            VirtualThreadPool servletThreads = new VirtualThreadPool();
            servletThreads.setName("jetty-vt");
            servletThreads.setMaxThreads(Integer.getInteger("bench.virtual-threads.max", 4096));
            threads.setVirtualThreadsExecutor(servletThreads);
        }
        Server server = new Server(threads);
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
                + " threads=" + (virtual ? "virtual" : "platform") + " (Java " + Runtime.version() + ")");
        server.join();
    }
}
