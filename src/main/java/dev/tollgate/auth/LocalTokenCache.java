package dev.tollgate.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;

/**
 * Level 1: a bounded Caffeine cache in process. Each entry expires at its token's {@code exp} (an introspected
 * token's: the time its answer is trusted until), measured with
 * the injected clock; a read checks the expiry again, so a hit is never an expired token. Thread-safe.
 */
final class LocalTokenCache implements TokenCache {
    private final Cache<String, VerifiedToken> cache;
    private final Clock clock;

    LocalTokenCache(int maxEntries, Clock clock, Ticker ticker) {
        this.clock = clock;
        this.cache = Caffeine.newBuilder().maximumSize(maxEntries).ticker(ticker)
                .expireAfter(Expiry.creating((String hash, VerifiedToken t) -> ttl(t))).build();
    }

    private Duration ttl(VerifiedToken t) {
        Duration d = Duration.between(clock.instant(), t.expiresAt());
        return d.isNegative() ? Duration.ZERO : d;
    }

    @Override
    public VerifiedToken get(String hash, Verification by) {
        VerifiedToken t = cache.getIfPresent(hash);
        if (t != null && !t.isLiveAt(clock.instant())) {
            cache.invalidate(hash);
            return null;
        }
        return t;
    }

    @Override
    public void put(String hash, VerifiedToken token, Verification by) {
        if (token.isLiveAt(clock.instant())) {
            cache.put(hash, token);
        }
    }

    @Override
    public boolean evict(String hash) {
        return cache.asMap().remove(hash) != null;
    }

    @Override
    public long clear() {
        long n = cache.estimatedSize();
        cache.invalidateAll();
        return n;
    }

    /** Bounds the cache anew (a reload); the least used entries beyond the bound are dropped. */
    void resize(int maxEntries) {
        cache.policy().eviction().ifPresent(e -> e.setMaximum(maxEntries));
    }

    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
