package dev.tollgate.production;

import dev.tollgate.testsupport.JettyHomeServer;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** WebSocket tunnels through the WAR on the stock Jetty distribution with server-config/jetty-base. */
class WebSocketJettyIT extends WebSocketTunnelContract {
    @BeforeAll
    static void startJetty(@TempDir Path dir) throws Exception {
        start(dir, (d, properties) -> JettyHomeServer.start(d, properties, "jetty-websocket-it"));
    }
}
