package dev.tollgate.config;

import java.time.Duration;
import java.util.Objects;

/**
 * WebSocket tunnels of one route ({@code gateway.routes.<name>.websocket*}).
 *
 * @param enabled whether an {@code Upgrade: websocket} request on this route is tunnelled to the upstream
 * @param idleTimeout a tunnel with no byte in either direction for this long is closed
 * @param maxLifetime a tunnel open this long is closed, busy or not
 */
public record WebSocketConfig(boolean enabled, Duration idleTimeout, Duration maxLifetime) {
    public WebSocketConfig {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(maxLifetime, "maxLifetime");
    }
}
