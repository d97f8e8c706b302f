package dev.tollgate.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tollgate.redis.Redis;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import redis.clients.jedis.params.SetParams;

/**
 * The deny list of revoked token ids ({@code jti}) and token hashes, each with a TTL, checked on every request.
 * Without Redis it is this instance's own list. With Redis every revocation is written to
 * {@code tollgate:auth:revoked:<id>} and published on {@link #CHANNEL}, and each instance keeps a replica of
 * the whole list in process, fed by a {@link RevocationFeed} (the stored list once per subscription, then
 * every published revocation), so a check costs no round trip. While the replica is not known to be complete
 * (before the first sync, while the subscription is down, or when the list outgrew {@code maxEntries}) each
 * check asks Redis as well; while Redis is unavailable the instance relies on what it holds (the documented
 * trade-off). Thread-safe.
 */
final class Revocations {
    static final String PREFIX = Redis.NAMESPACE + "auth:revoked:";
    /** Where revocations are announced: {@code <id> <ttl in ms>}. */
    static final String CHANNEL = Redis.NAMESPACE + "auth:revocations";

    private final Cache<String, Instant> local;
    private final RedisCalls redis;
    private final Clock clock;
    private volatile boolean complete;
    private volatile boolean overflowed;

    Revocations(int maxEntries, RedisCalls redis, Clock clock, Ticker ticker) {
        this.redis = redis;
        this.clock = clock;
        this.local = Caffeine.newBuilder().maximumSize(maxEntries).ticker(ticker).executor(Runnable::run)
                .expireAfter(Expiry.creating((String id, Instant until) -> {
                    Duration d = Duration.between(clock.instant(), until);
                    return d.isNegative() ? Duration.ZERO : d;
                }))
                .removalListener((String id, Instant until, RemovalCause cause) -> {
                    if (cause == RemovalCause.SIZE) {
                        overflowed = true; // a revocation was dropped: Redis is asked again until the next sync
                        complete = false;
                    }
                }).build();
    }

    /**
     * Bounds the local list anew (a reload). Revocations dropped by a smaller bound are asked of Redis again until
     * the next full sync, as after an overflow.
     */
    void resize(int maxEntries) {
        local.policy().eviction().ifPresent(e -> e.setMaximum(maxEntries));
    }

    /** Whether the token (by hash) or its jti (may be null) is revoked. */
    boolean isRevoked(String hash, String jti) {
        Instant now = clock.instant();
        if (locallyRevoked(hash, now) || jti != null && locallyRevoked(jti, now)) {
            return true;
        }
        if (redis == null || complete) {
            return false;
        }
        try {
            return redis.call(j -> j.exists(PREFIX + hash) || jti != null && j.exists(PREFIX + jti));
        } catch (RedisCalls.Unavailable e) {
            return false;
        }
    }

    private boolean locallyRevoked(String id, Instant now) {
        Instant until = local.getIfPresent(id);
        return until != null && until.isAfter(now);
    }

    /**
     * Revokes a jti or token hash for {@code ttl}.
     *
     * @return whether the revocation reached Redis (always false without Redis)
     */
    boolean revoke(String id, Duration ttl) {
        add(id, ttl);
        if (redis == null) {
            return false;
        }
        try {
            redis.direct(j -> {
                j.set(PREFIX + id, "1", SetParams.setParams().px(ttl.toMillis()));
                return j.publish(CHANNEL, id + " " + ttl.toMillis());
            });
            return true;
        } catch (RedisCalls.Unavailable e) {
            return false;
        }
    }

    /** Adds a revocation this instance learnt of (its own, or one announced by another instance). */
    void add(String id, Duration ttl) {
        if (!ttl.isNegative() && !ttl.isZero()) {
            local.put(id, clock.instant().plus(ttl));
        }
    }

    /**
     * The feed has loaded the whole stored list (ids and remaining TTLs) and is subscribed: from now on the
     * replica is complete, unless it cannot hold the list.
     */
    void synced(Map<String, Duration> stored) {
        overflowed = false;
        stored.forEach(this::add);
        local.cleanUp();
        complete = !overflowed;
    }

    /** The feed lost its subscription: revocations may be missed until the next sync, so Redis is asked again. */
    void unsynced() {
        complete = false;
    }

    boolean isComplete() {
        return complete;
    }

    RedisCalls redis() {
        return redis;
    }
}
