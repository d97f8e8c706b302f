package dev.tollgate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.config.RedisConfig;
import dev.tollgate.testsupport.RedisServer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

/** The Redis client against a real redis-server: calls, fast failure while down, recovery. */
@Tag("redis")
class RedisIT {
    private static RedisServer server;

    @BeforeAll
    static void start() throws Exception {
        server = RedisServer.startNew();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Redis client(AtomicLong clock) {
        RedisConfig config = new RedisConfig(URI.create(server.uri()), Duration.ofMillis(300), 4, Duration.ofSeconds(1));
        RedisClient jedis = RedisClient.builder().hostAndPort(new HostAndPort("127.0.0.1", server.port()))
                .clientConfig(DefaultJedisClientConfig.builder().connectionTimeoutMillis(300)
                        .socketTimeoutMillis(300).build())
                .build();
        return new Redis(jedis, "test", config, clock::get);
    }

    @Test
    void openParsesUserPasswordAndDatabase() throws Exception {
        server.start();
        server.command("ACL SETUSER gw on >s3cret ~* +@all");
        RedisConfig config = new RedisConfig(URI.create("redis://gw:s3cret@127.0.0.1:" + server.port() + "/3"),
                Duration.ofMillis(500), 2, Duration.ofSeconds(1));
        try (Redis redis = Redis.open(config)) {
            redis.call(j -> j.set("tollgate:test:db", "3"));
        }
        assertThat(server.command("EXISTS tollgate:test:db")).isEqualTo(":0"); // it went to database 3
        RedisConfig wrong = new RedisConfig(URI.create("redis://gw:wrong@127.0.0.1:" + server.port()),
                Duration.ofMillis(500), 2, Duration.ofSeconds(1));
        try (Redis redis = Redis.open(wrong)) {
            assertThatThrownBy(() -> redis.call(j -> j.get("x"))).isInstanceOf(RedisUnavailableException.class);
        }
    }

    @Test
    void downRedisFailsFastUntilTheRetryIntervalThenRecovers() throws Exception {
        server.start();
        AtomicLong clock = new AtomicLong();
        AtomicInteger attempts = new AtomicInteger();
        try (Redis redis = client(clock)) {
            String first = redis.call(j -> j.set("tollgate:test:k", "v"));
            assertThat(first).isEqualTo("OK");
            server.stop();
            assertThatThrownBy(() -> redis.call(j -> {
                attempts.incrementAndGet();
                return j.get("tollgate:test:k");
            })).isInstanceOf(RedisUnavailableException.class);
            assertThat(redis.isAvailable()).isFalse();
            assertThat(redis.failures()).isEqualTo(1);

            clock.addAndGet(Duration.ofMillis(999).toNanos());
            assertThatThrownBy(() -> redis.call(j -> attempts.incrementAndGet()))
                    .isInstanceOf(RedisUnavailableException.class);
            assertThat(attempts).as("no call reaches Redis while it is marked down").hasValue(1);

            server.start();
            clock.addAndGet(Duration.ofMillis(2).toNanos());
            String again = redis.call(j -> j.set("tollgate:test:k", "again"));
            assertThat(again).isEqualTo("OK");
            assertThat(redis.isAvailable()).isTrue();
        }
    }
}
