package dev.tollgate.auth;

/**
 * {@code tollgate:type=TokenCache}: the verified-token cache, and the operations to evict, clear and revoke.
 * Every operation is audited (who, what, result).
 */
public interface TokenCacheMXBean {
    /** {@code local} or {@code redis}. */
    String getPolicy();

    /** Entries in level 1. */
    long getSize();

    /** Bad tokens remembered in the negative cache. */
    long getNegativeSize();

    /** Level-1 hits / level-1 lookups since start-up. */
    double getL1HitRatio();

    /** Level-2 hits / level-2 lookups since start-up (0 with the local policy). */
    double getL2HitRatio();

    /** Signature verifications since start-up. */
    long getVerifications();

    /** Requests that went on without Redis (level 2 or shared revocations skipped). */
    long getRedisFallbacks();

    /**
     * Whether revocations are checked in process only: true with the local policy, and with Redis once this
     * instance's replica of the revocation list is complete (subscribed and synced); false while every check also
     * asks Redis.
     */
    boolean isRevocationListSynced();

    /** Evicts one token, by the hex SHA-256 of the token, from both levels. */
    String evictToken(String sha256Hex);

    /** Empties level 1, the negative cache and (with Redis) level 2; the revocation list stays. */
    String clear();

    /**
     * Revokes a token for {@code ttlSeconds}: by its {@code jti}, or by the hex SHA-256 of the whole token. Checked
     * on every request, cache hits included; with Redis, on every instance.
     */
    String revoke(String jtiOrTokenHash, long ttlSeconds);
}
