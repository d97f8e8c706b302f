package dev.tollgate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.config.RedisConfig;
import dev.tollgate.testsupport.Configs;
import dev.tollgate.testsupport.RedisCluster;
import dev.tollgate.testsupport.ServerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * The Redis client configured for a real 3-master Redis Cluster ({@code gateway.redis.cluster = true}): the
 * cluster client built from the seed nodes, fast failure while no seed answers, and the subscription
 * connection on the first seed node that answers, which hears what is published on any node.
 */
@Tag("redis")
class RedisClusterClientIT {
    private static RedisCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = RedisCluster.startNew();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static RedisConfig config(String seeds) {
        return Configs.withApiRoute("gateway.redis.cluster = true", "gateway.redis.uri = " + seeds,
                "gateway.redis.timeout = 2s", "gateway.redis.retry-interval = 1h").redis();
    }

    private static String dead() throws Exception {
        return "redis://127.0.0.1:" + ServerProcess.freePort();
    }

    @Test
    void openBuildsAClusterClientThatReachesEveryMaster() throws Exception {
        // the first seed is down: the slot map is read from the next one
        try (Redis redis = Redis.open(config(dead() + ", " + cluster.seeds()))) {
            assertThat(redis.isCluster()).isTrue();
            for (int i = 0; i < 30; i++) {
                String key = "tollgate:test:" + i;
                redis.call(j -> j.set(key, "v"));
            }
            String pong = redis.call(j -> j.ping());
            assertThat(pong).isEqualTo("PONG");
            long unlinked = redis.call(j -> j.unlink("tollgate:test:0", "tollgate:test:1", "tollgate:test:2"));
            assertThat(unlinked).as("a multi-key command split by slot").isEqualTo(3);
        }
        List<Long> perNode = cluster.keysPerNode("tollgate:test:*");
        assertThat(perNode.stream().mapToLong(Long::longValue).sum()).isEqualTo(27);
        assertThat(perNode).as("every master holds some").doesNotContain(0L);
    }

    @Test
    void aClusterWithNoSeedAnsweringIsAnOutageNotAStartFailure() throws Exception {
        Redis redis = Redis.open(config(dead() + ", " + dead())); // connects on first use, as a pool does
        try (redis) {
            assertThat(redis.isCluster()).isTrue();
            assertThatThrownBy(() -> redis.call(j -> j.get("tollgate:test:x")))
                    .isInstanceOf(RedisUnavailableException.class);
            assertThat(redis.isAvailable()).isFalse();
            assertThat(redis.failures()).isEqualTo(1);
        }
    }

    @Test
    void subscriptionOnTheFirstAnsweringSeedHearsPublishesOnEveryNode() throws Exception {
        RedisConfig config = config(dead() + ", " + cluster.seeds());
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        CountDownLatch subscribed = new CountDownLatch(1);
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onSubscribe(String channel, int count) {
                subscribed.countDown();
            }

            @Override
            public void onMessage(String channel, String message) {
                heard.add(message);
            }
        };
        try (Jedis j = Redis.connect(config, Duration.ofSeconds(30))) {
            assertThat(j.info("server")).as("the first seed that answers")
                    .contains("tcp_port:" + cluster.ports().get(0));
            Thread subscriber = new Thread(() -> j.subscribe(listener, "tollgate:test:channel"));
            subscriber.setDaemon(true);
            subscriber.start();
            assertThat(subscribed.await(10, TimeUnit.SECONDS)).isTrue();
            for (int node = 0; node < 3; node++) {
                cluster.commandOn(node, "PUBLISH", "tollgate:test:channel", "node-" + node);
            }
            try (Redis redis = Redis.open(config)) {
                redis.call(c -> c.publish("tollgate:test:channel", "client"));
            }
            List<String> messages = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                messages.add(heard.poll(10, TimeUnit.SECONDS));
            }
            assertThat(messages).containsExactlyInAnyOrder("node-0", "node-1", "node-2", "client");
            listener.unsubscribe();
            subscriber.join(10_000);
        }
    }

    @Test
    void connectFailsWhenNoSeedAnswers() throws Exception {
        RedisConfig config = config(dead() + ", " + dead());
        assertThatThrownBy(() -> Redis.connect(config, Duration.ofSeconds(1)))
                .isInstanceOf(redis.clients.jedis.exceptions.JedisException.class);
    }
}
