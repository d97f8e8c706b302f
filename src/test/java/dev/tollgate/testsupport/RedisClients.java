package dev.tollgate.testsupport;

import dev.tollgate.config.RedisConfig;
import dev.tollgate.redis.Redis;
import java.net.URI;
import java.time.Duration;

/** Independent Redis clients (each its own pool, as in separate gateway instances) for a test server. */
public final class RedisClients {
    private RedisClients() {
    }

    /**
     * A client with a generous 2 s timeout (a loaded test machine must not look like an outage; a stopped server
     * refuses at once) and a 200 ms retry interval.
     */
    public static Redis open(RedisServer server) {
        return Redis.open(new RedisConfig(URI.create(server.uri()), Duration.ofSeconds(2), 16,
                Duration.ofMillis(200)));
    }
}
