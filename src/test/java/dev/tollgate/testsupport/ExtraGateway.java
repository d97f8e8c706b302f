package dev.tollgate.testsupport;

import java.io.File;
import java.nio.file.Files;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * One more gateway instance beside the one Arquillian deploys: the same real WAR on its own embedded Jetty 12
 * server on a free loopback port, with its own class loader and therefore its own Redis client, limiter and
 * buckets. For tests of what several instances share.
 */
public final class ExtraGateway implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;

    public ExtraGateway(WebArchive war) throws Exception {
        File dir = Files.createTempDirectory("tollgate-extra").toFile();
        File file = new File(dir, "extra.war");
        war.as(ZipExporter.class).exportTo(file, true);
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        WebAppContext app = new WebAppContext();
        app.setContextPath("/");
        app.setWar(file.getAbsolutePath());
        File temp = new File(dir, "work");
        if (!temp.mkdir()) {
            throw new IllegalStateException("cannot create " + temp);
        }
        app.setTempDirectory(temp);
        app.setThrowUnavailableOnStartupException(true);
        server.setHandler(app);
        server.start();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String uri() {
        return "http://127.0.0.1:" + connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
