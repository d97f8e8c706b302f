package dev.tollgate.auth;

import dev.tollgate.redis.Redis;
import java.time.Clock;
import java.time.Duration;
import redis.clients.jedis.params.SetParams;

/**
 * Level 2: established tokens in Redis under {@code tollgate:auth:token:<fingerprint>:<sha256 hex>}, with a TTL
 * of {@code exp - now}, shared by every gateway instance whose provider has the same settings. The value is
 * the verified claims as JSON (an introspection answer is preceded by the time it is trusted until); a hit is
 * read by the {@link Verification} that wrote it, with the same {@link ClaimsReader} as a fresh result, and its
 * expiry is checked again. Thread-safe.
 */
final class RedisTokenCache implements TokenCache {
    static final String PREFIX = Redis.NAMESPACE + "auth:token:";

    private final RedisCalls redis;
    private final Clock clock;

    RedisTokenCache(RedisCalls redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    @Override
    public VerifiedToken get(String hash, Verification by) throws RedisCalls.Unavailable {
        String value = redis.call(j -> j.get(PREFIX + hash));
        if (value == null) {
            return null;
        }
        try {
            VerifiedToken t = by.fromCache(value);
            return t.isLiveAt(clock.instant()) ? t : null;
        } catch (AuthException e) {
            return null; // not written by a gateway: treated as absent, the token is verified
        }
    }

    /** Queues the write: the request that verified the token does not wait for Redis. */
    @Override
    public void put(String hash, VerifiedToken token, Verification by) {
        long ttl = Duration.between(clock.instant(), token.expiresAt()).toMillis();
        if (ttl > 0) {
            String value = by.toCache(token);
            redis.send(j -> j.set(PREFIX + hash, value, SetParams.setParams().px(ttl)));
        }
    }

    @Override
    public boolean evict(String hash) throws RedisCalls.Unavailable {
        return redis.direct(j -> j.del(PREFIX + hash)) > 0;
    }

    /**
     * Deletes every level-2 entry: SCAN over every node (a cluster's entries are spread over its masters, and a
     * pattern without a hash tag matches in every slot), then UNLINK per page (split by slot in a cluster).
     */
    @Override
    public long clear() throws RedisCalls.Unavailable {
        return redis.direct(j -> {
            long[] n = {0};
            Redis.forEachKeyPage(j, PREFIX, keys -> n[0] += j.unlink(keys.toArray(new String[0])));
            return n[0];
        });
    }
}
