package dev.tollgate.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The Redis shared by all gateway instances (verified-token cache, revocations, rate limits): one server, or a
 * Redis Cluster reached through its seed nodes.
 *
 * @param uri {@code redis://[user:password@]host:port[/db]} or {@code rediss://} for TLS; in a cluster the first
 *     seed node; null when no Redis is configured (then every policy must be {@code local})
 * @param timeout connect and command timeout: Redis sits on the request path, so it is short
 * @param poolSize most connections to Redis per gateway instance (in a cluster: per node)
 * @param retryInterval after a failure Redis is treated as down, without trying it, for this long
 * @param cluster whether {@code seeds} are nodes of a Redis Cluster (the Jedis cluster client is used)
 * @param seeds every configured node, {@code uri} first; a single server has just {@code uri}; empty without Redis
 */
public record RedisConfig(URI uri, Duration timeout, int poolSize, Duration retryInterval, boolean cluster,
                          List<URI> seeds) {
    public RedisConfig {
        seeds = List.copyOf(seeds);
        if (uri == null ? !seeds.isEmpty() : seeds.isEmpty() || !seeds.get(0).equals(uri)) {
            throw new IllegalArgumentException("the seeds must start with the uri: " + uri + " " + seeds);
        }
        if (!cluster && seeds.size() > 1) {
            throw new IllegalArgumentException("several seed nodes need a cluster");
        }
    }

    /** A single Redis server (or none, with a null {@code uri}). */
    public RedisConfig(URI uri, Duration timeout, int poolSize, Duration retryInterval) {
        this(uri, timeout, poolSize, retryInterval, false, uri == null ? List.of() : List.of(uri));
    }

    public boolean isConfigured() {
        return uri != null;
    }
}
