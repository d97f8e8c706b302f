package dev.tollgate.production;

import dev.tollgate.testsupport.WildFlyServer;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** WebSocket tunnels through the WAR on WildFly (mvn verify -Pwildfly). */
class WebSocketWildFlyIT extends WebSocketTunnelContract {
    @BeforeAll
    static void startWildFly(@TempDir Path dir) throws Exception {
        start(dir, (d, properties) -> WildFlyServer.start(d, properties, "wildfly-websocket-it"));
    }
}
