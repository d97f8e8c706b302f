package dev.tollgate.auth;

import dev.tollgate.config.RedisConfig;
import dev.tollgate.redis.Redis;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Response;

/**
 * Keeps an instance's {@link Revocations} replica in step with Redis: subscribes to
 * {@link Revocations#CHANNEL} on a connection of its own, then (subscribed, so nothing published meanwhile is
 * lost) loads every stored revocation with its remaining TTL, then adds each announced one. A {@code PING}
 * every {@code heartbeat} detects a dead connection; on any failure the replica is marked incomplete (checks
 * ask Redis again) and the feed reconnects after the retry interval, syncing again. Thread-safe;
 * {@link #close()} stops it.
 */
final class RevocationFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RevocationFeed.class);

    private final RedisConfig config;
    private final Revocations revocations;
    private final Duration heartbeat;
    private final Thread thread;
    private final ScheduledExecutorService pinger;
    private volatile Subscriber current;
    private volatile Jedis connection;
    private volatile boolean closed;
    private boolean failing;

    RevocationFeed(RedisConfig config, Revocations revocations, Duration heartbeat) {
        this.config = config;
        this.revocations = revocations;
        this.heartbeat = heartbeat;
        this.pinger = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tollgate-revocations-ping");
            t.setDaemon(true);
            return t;
        });
        this.thread = new Thread(this::run, "tollgate-revocations");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
        long every = heartbeat.toMillis();
        pinger.scheduleWithFixedDelay(() -> {
            Subscriber s = current;
            if (s != null && s.isSubscribed()) {
                try {
                    s.ping();
                } catch (RuntimeException e) {
                    // the subscription's own read fails too and the loop reconnects
                }
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    private void run() {
        while (!closed) {
            try (Jedis j = Redis.connect(config, heartbeat.multipliedBy(3))) {
                connection = j;
                Subscriber s = new Subscriber();
                current = s;
                j.subscribe(s, Revocations.CHANNEL);
            } catch (RuntimeException e) {
                if (!closed && !failing) {
                    failing = true;
                    LOG.warn("token-cache: revocation feed lost ({}); each check asks Redis until it is back",
                            e.getMessage());
                }
            }
            revocations.unsynced();
            current = null;
            if (!closed) {
                try {
                    Thread.sleep(config.retryInterval().toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private final class Subscriber extends JedisPubSub {
        @Override
        public void onSubscribe(String channel, int subscribedChannels) {
            try {
                revocations.synced(stored());
                if (failing) {
                    failing = false;
                    LOG.warn("token-cache: revocation feed back; the replica is synced again");
                }
            } catch (RedisCalls.Unavailable e) {
                unsubscribe(); // the loop retries after the retry interval
            }
        }

        @Override
        public void onMessage(String channel, String message) {
            int space = message.indexOf(' ');
            if (space > 0) {
                try {
                    revocations.add(message.substring(0, space),
                            Duration.ofMillis(Long.parseLong(message.substring(space + 1))));
                } catch (NumberFormatException e) {
                    LOG.warn("token-cache: ignored a malformed revocation announcement on {}", channel);
                }
            }
        }
    }

    /**
     * Every stored revocation with its remaining TTL: SCAN over every node (in a cluster the revocations are
     * spread over the masters; replicas are scanned too, their duplicates merge), then one pipelined PTTL per page (each sent to its key's master).
     */
    private Map<String, Duration> stored() throws RedisCalls.Unavailable {
        return revocations.redis().direct(j -> {
            Map<String, Duration> out = new HashMap<>();
            Redis.forEachKeyPage(j, Revocations.PREFIX, keys -> {
                Map<String, Response<Long>> ttls;
                try (AbstractPipeline p = j.pipelined()) {
                    ttls = keys.stream().collect(Collectors.toMap(k -> k, p::pttl, (x, y) -> x));
                    p.sync();
                }
                ttls.forEach((k, ttl) -> {
                    if (ttl.get() > 0) {
                        out.put(k.substring(Revocations.PREFIX.length()), Duration.ofMillis(ttl.get()));
                    }
                });
            });
            return out;
        });
    }

    @Override
    public void close() {
        closed = true;
        pinger.shutdownNow();
        Subscriber s = current;
        if (s != null && s.isSubscribed()) {
            try {
                s.unsubscribe();
            } catch (RuntimeException e) {
                // the connection is closed below
            }
        }
        Jedis j = connection;
        if (j != null) {
            j.close();
        }
        thread.interrupt();
    }
}
