package dev.tollgate.testsupport;

import dev.tollgate.config.RedisConfig;
import dev.tollgate.redis.Redis;
import java.net.URI;
import java.time.Duration;

/** Independent Redis clients (each its own pool, as in separate gateway instances) for a test server. */
public final class RedisClients {
    private RedisClients() {
    }

    /** A client with a 500 ms timeout and a 200 ms retry interval. */
    public static Redis open(RedisServer server) {
        return Redis.open(new RedisConfig(URI.create(server.uri()), Duration.ofMillis(500), 16,
                Duration.ofMillis(200)));
    }
}
