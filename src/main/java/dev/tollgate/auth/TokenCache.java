package dev.tollgate.auth;

/**
 * Verified tokens by the hex SHA-256 of the whole token (signature included). An entry never outlives the
 * token's {@code exp}. Implementations are thread-safe.
 */
interface TokenCache {
    /** The cached token, or null. */
    VerifiedToken get(String hash) throws RedisCalls.Unavailable;

    /** Caches a token until its expiry; a token already expired is not cached. */
    void put(String hash, VerifiedToken token) throws RedisCalls.Unavailable;

    /** Removes one entry; whether it was there. */
    boolean evict(String hash) throws RedisCalls.Unavailable;

    /** Removes every entry; how many there were. */
    long clear() throws RedisCalls.Unavailable;
}
