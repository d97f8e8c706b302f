package dev.tollgate.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tollgate.redis.Redis;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import redis.clients.jedis.params.SetParams;

/**
 * The deny list of revoked token ids ({@code jti}) and token hashes, each with a TTL. Revocations made on this
 * instance are held in process; with Redis they are also written to {@code tollgate:auth:revoked:<id>} and
 * every check asks Redis too, so a revocation on one instance holds on all. While Redis is unavailable the
 * check relies on this instance's own list (the documented trade-off). Thread-safe.
 */
final class Revocations {
    static final String PREFIX = Redis.NAMESPACE + "auth:revoked:";

    private final Cache<String, Instant> local;
    private final RedisCalls redis;
    private final Clock clock;

    Revocations(int maxEntries, RedisCalls redis, Clock clock, Ticker ticker) {
        this.redis = redis;
        this.clock = clock;
        this.local = Caffeine.newBuilder().maximumSize(maxEntries).ticker(ticker)
                .expireAfter(Expiry.creating((String id, Instant until) -> {
                    Duration d = Duration.between(clock.instant(), until);
                    return d.isNegative() ? Duration.ZERO : d;
                })).build();
    }

    /** Whether the token (by hash) or its jti (may be null) is revoked. */
    boolean isRevoked(String hash, String jti) {
        Instant now = clock.instant();
        if (locallyRevoked(hash, now) || jti != null && locallyRevoked(jti, now)) {
            return true;
        }
        if (redis == null) {
            return false;
        }
        try {
            return redis.call(j -> jti == null ? j.exists(PREFIX + hash) : j.exists(PREFIX + hash, PREFIX + jti) > 0);
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
        local.put(id, clock.instant().plus(ttl));
        if (redis == null) {
            return false;
        }
        try {
            redis.direct(j -> j.set(PREFIX + id, "1", SetParams.setParams().px(ttl.toMillis())));
            return true;
        } catch (RedisCalls.Unavailable e) {
            return false;
        }
    }
}
