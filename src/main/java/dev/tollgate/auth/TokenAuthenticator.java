package dev.tollgate.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Authenticates a bearer token: size limit, then the SHA-256 of the whole token as the cache key; the negative
 * cache (a flood of one bad token costs one verification), level 1, level 2 (Redis), and only then a signature
 * verification whose result fills both levels. The revocation list (an in-process replica when Redis is used)
 * is consulted on every success, cache hits included. The raw token is never stored or logged. Thread-safe.
 */
public final class TokenAuthenticator {
    /** One digest per thread: {@code MessageDigest.getInstance} looks up the provider on every call. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    });
    private static final HexFormat HEX = HexFormat.of();
    private final TokenVerifier verifier;
    private final LocalTokenCache l1;
    private final RedisTokenCache l2;
    private final RedisCalls redis;
    private final Revocations revocations;
    private final Cache<String, AuthException.Reason> negative;
    private final long maxTokenSize;
    private final AuthStats stats = new AuthStats();

    TokenAuthenticator(TokenVerifier verifier, LocalTokenCache l1, RedisTokenCache l2, RedisCalls redis,
                       Revocations revocations, long maxTokenSize, int negativeEntries, Duration negativeTtl,
                       Ticker ticker) {
        this.verifier = verifier;
        this.l1 = l1;
        this.l2 = l2;
        this.redis = redis;
        this.revocations = revocations;
        this.maxTokenSize = maxTokenSize;
        this.negative = Caffeine.newBuilder().maximumSize(negativeEntries).ticker(ticker)
                .expireAfterWrite(negativeTtl).build();
    }

    /** The verified token, or the reason it is refused. */
    public VerifiedToken authenticate(String token) throws AuthException {
        try {
            return lookup(token);
        } catch (AuthException e) {
            stats.failed(e.reason());
            throw e;
        }
    }

    private VerifiedToken lookup(String token) throws AuthException {
        if (token.length() > maxTokenSize) {
            throw new AuthException(AuthException.Reason.TOO_LARGE);
        }
        String hash = sha256(token);
        AuthException.Reason bad = negative.getIfPresent(hash);
        if (bad != null) {
            stats.negativeHits.increment();
            throw new AuthException(bad);
        }
        VerifiedToken t = l1.get(hash);
        if (t != null) {
            stats.l1Hits.increment();
            return unlessRevoked(hash, t);
        }
        stats.l1Misses.increment();
        if (l2 != null) {
            try {
                t = l2.get(hash);
            } catch (RedisCalls.Unavailable e) {
                t = null; // level 1 and direct verification carry on
            }
            if (t != null) {
                stats.l2Hits.increment();
                l1.put(hash, t);
                return unlessRevoked(hash, t);
            }
            stats.l2Misses.increment();
        }
        try {
            stats.verifications.increment();
            t = verifier.verify(token);
        } catch (AuthException e) {
            if (e.reason() != AuthException.Reason.UNKNOWN_KEY) {
                // an unknown key may become known by a JWKS refetch; everything else stays bad
                negative.put(hash, e.reason());
            }
            throw e;
        }
        VerifiedToken verified = unlessRevoked(hash, t);
        l1.put(hash, verified);
        if (l2 != null) {
            l2.put(hash, verified);
        }
        return verified;
    }

    private VerifiedToken unlessRevoked(String hash, VerifiedToken t) throws AuthException {
        if (revocations.isRevoked(hash, t.jti())) {
            throw new AuthException(AuthException.Reason.REVOKED);
        }
        return t;
    }

    /** The lower-case hex SHA-256 of the token's bytes: the only form in which a token is ever kept. */
    public static String sha256(String token) {
        return HEX.formatHex(SHA256.get().digest(token.getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether a revocation check needs no Redis round trip (see {@link Revocations}). */
    public boolean revocationsSynced() {
        return redis == null || revocations.isComplete();
    }

    public AuthStats stats() {
        return stats;
    }

    LocalTokenCache l1() {
        return l1;
    }

    RedisTokenCache l2() {
        return l2;
    }

    Revocations revocations() {
        return revocations;
    }

    long negativeSize() {
        negative.cleanUp();
        return negative.estimatedSize();
    }

    void clearNegative() {
        negative.invalidateAll();
    }

    RedisCalls redis() {
        return redis;
    }
}
