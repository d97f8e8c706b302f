package dev.tollgate.config;

import java.net.URI;
import java.time.Duration;

/**
 * The Redis server shared by all gateway instances (verified-token cache, revocations, rate limits).
 *
 * @param uri {@code redis://[user:password@]host:port[/db]} or {@code rediss://} for TLS; null when no Redis
 *     is configured (then every policy must be {@code local})
 * @param timeout connect and command timeout: Redis sits on the request path, so it is short
 * @param poolSize most connections to Redis per gateway instance
 * @param retryInterval after a failure Redis is treated as down, without trying it, for this long
 */
public record RedisConfig(URI uri, Duration timeout, int poolSize, Duration retryInterval) {
    public boolean isConfigured() {
        return uri != null;
    }
}
