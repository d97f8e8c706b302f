package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.Configs;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WebSocketConfigTest {
    @Test
    void isOffByDefaultWithTheGlobalTimeouts() {
        WebSocketConfig ws = Configs.withApiRoute().routes().get(0).websocket();
        assertThat(ws.enabled()).isFalse();
        assertThat(ws.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(ws.maxLifetime()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void aRouteOverridesTheGlobalTimeouts() {
        WebSocketConfig ws = Configs.withApiRoute("gateway.websocket.max-lifetime = 2h",
                "gateway.routes.api.websocket = true", "gateway.routes.api.websocket-idle-timeout = 30s")
                .routes().get(0).websocket();
        assertThat(ws.enabled()).isTrue();
        assertThat(ws.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(ws.maxLifetime()).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void badValuesNameTheirKeys() {
        assertThat(Configs.problemsWithApiRoute("gateway.routes.api.websocket = yes please",
                "gateway.websocket.idle-timeout = 0s"))
                .anyMatch(p -> p.startsWith("gateway.routes.api.websocket = "))
                .anyMatch(p -> p.startsWith("gateway.websocket.idle-timeout = "));
    }

    @Test
    void tunnelTimeoutsOnARouteWithoutWebSocketAreRefused() {
        assertThat(Configs.problemsWithApiRoute("gateway.routes.api.websocket-max-lifetime = 1h"))
                .anyMatch(p -> p.startsWith("gateway.routes.api.websocket-max-lifetime = ")
                        && p.contains("websocket = true"));
    }
}
