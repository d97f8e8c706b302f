package dev.tollgate.auth;

import dev.tollgate.observability.ManagementBeans;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The {@link TokenCacheMXBean} over the token layer of the latest configuration (its providers' fingerprints
 * name the entries an eviction removes). Thread-safe.
 */
final class TokenCacheBean implements TokenCacheMXBean {
    private final Supplier<BearerTokens> latest;
    private final String policy;

    TokenCacheBean(Supplier<BearerTokens> latest, String policy) {
        this.latest = latest;
        this.policy = policy;
    }

    private BearerTokens tokens() {
        return latest.get();
    }

    @Override
    public String getPolicy() {
        return policy;
    }

    @Override
    public long getSize() {
        return tokens().l1().size();
    }

    @Override
    public long getNegativeSize() {
        return tokens().negativeSize();
    }

    @Override
    public double getL1HitRatio() {
        return AuthStats.ratio(tokens().stats().l1Hits(), tokens().stats().l1Misses());
    }

    @Override
    public double getL2HitRatio() {
        return AuthStats.ratio(tokens().stats().l2Hits(), tokens().stats().l2Misses());
    }

    @Override
    public long getVerifications() {
        return tokens().stats().verifications();
    }

    @Override
    public long getRedisFallbacks() {
        return tokens().redis() == null ? 0 : tokens().redis().fallbacks();
    }

    @Override
    public boolean isRevocationListSynced() {
        return tokens().revocationsSynced();
    }

    @Override
    public String evictToken(String sha256Hex) {
        String hash = sha256Hex == null ? "" : sha256Hex.trim().toLowerCase(Locale.ROOT);
        return ManagementBeans.audited("evictToken", hash, () -> {
            if (!hash.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("expected the 64 hex digits of the token's SHA-256");
            }
            boolean local = false;
            for (String key : tokens().keys(hash)) {
                local |= tokens().l1().evict(key);
            }
            String shared = "";
            if (tokens().l2() != null) {
                try {
                    boolean any = false;
                    for (String key : tokens().keys(hash)) {
                        any |= tokens().l2().evict(key);
                    }
                    shared = any ? ", level 2: evicted" : ", level 2: absent";
                } catch (RedisCalls.Unavailable e) {
                    shared = ", level 2: Redis unavailable";
                }
            }
            return "level 1: " + (local ? "evicted" : "absent") + shared;
        });
    }

    @Override
    public String clear() {
        return ManagementBeans.audited("clear", "token-cache", () -> {
            long local = tokens().l1().clear();
            tokens().clearNegative();
            String shared = "";
            if (tokens().l2() != null) {
                try {
                    shared = ", level 2: " + tokens().l2().clear() + " entries";
                } catch (RedisCalls.Unavailable e) {
                    shared = ", level 2: Redis unavailable";
                }
            }
            return "level 1: " + local + " entries" + shared;
        });
    }

    @Override
    public String revoke(String jtiOrTokenHash, long ttlSeconds) {
        String id = jtiOrTokenHash == null ? "" : jtiOrTokenHash.trim();
        return ManagementBeans.audited("revoke", id, () -> {
            if (id.isEmpty() || id.length() > 512 || ttlSeconds <= 0) {
                throw new IllegalArgumentException("expected a jti or token SHA-256 and a TTL above 0 seconds");
            }
            boolean shared = tokens().revocations().revoke(id, Duration.ofSeconds(ttlSeconds));
            return "revoked for " + ttlSeconds + " s " + (shared ? "on all instances (Redis)"
                    : tokens().redis() == null ? "on this instance (local policy)"
                    : "on this instance only: Redis unavailable");
        });
    }
}
