package dev.tollgate.auth;

/**
 * Established tokens by cache key: the fingerprint of the {@link Verification} that established the token, a
 * {@code :}, and the hex SHA-256 of the whole token (signature included), so a result is reused only under the
 * settings it was established with. An entry never outlives the time its result is trusted until. Implementations
 * are thread-safe.
 */
interface TokenCache {
    /** The cached token, or null; {@code by} reads a level-2 value. */
    VerifiedToken get(String key, Verification by) throws RedisCalls.Unavailable;

    /** Caches a token until its expiry; a token already expired is not cached. */
    void put(String key, VerifiedToken token, Verification by) throws RedisCalls.Unavailable;

    /** Removes one entry; whether it was there. */
    boolean evict(String key) throws RedisCalls.Unavailable;

    /** Removes every entry; how many there were. */
    long clear() throws RedisCalls.Unavailable;
}
