package dev.tollgate.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Authenticates a bearer token: size limit, then the provider that must establish it ({@link Providers}: by its
 * issuer, refused when the route does not accept that provider), then the cache key (that provider's
 * fingerprint and the SHA-256 of the whole token); the negative cache (a flood of one bad token costs one
 * verification), level 1, level 2 (Redis), and only then a verification or introspection whose result fills both
 * levels. The revocation list (an in-process replica when Redis is used) is consulted on every success, cache hits
 * included, by the token's hash and {@code jti}. The raw token is never stored or logged. Thread-safe.
 */
public final class BearerTokens {
    /** One digest per thread: {@code MessageDigest.getInstance} looks up the provider on every call. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    });
    private static final HexFormat HEX = HexFormat.of();

    /** A remembered refusal, kept for {@code ttl}. */
    private record Refusal(AuthException.Reason reason, Duration ttl) {
    }

    private final Providers providers;
    private final LocalTokenCache l1;
    private final RedisTokenCache l2;
    private final RedisCalls redis;
    private final Revocations revocations;
    private final Cache<String, Refusal> negative;
    private final Duration negativeTtl;
    private final long maxTokenSize;
    private final AuthStats stats;

    BearerTokens(Providers providers, LocalTokenCache l1, RedisTokenCache l2, RedisCalls redis,
                       Revocations revocations, long maxTokenSize, int negativeEntries, Duration negativeTtl,
                       Ticker ticker) {
        this(providers, l1, l2, redis, revocations, maxTokenSize, Caffeine.newBuilder().maximumSize(negativeEntries)
                .ticker(ticker).expireAfter(Expiry.creating((String key, Refusal r) -> r.ttl())).build(), negativeTtl,
                new AuthStats());
    }

    private BearerTokens(Providers providers, LocalTokenCache l1, RedisTokenCache l2, RedisCalls redis,
                               Revocations revocations, long maxTokenSize, Cache<String, Refusal> negative,
                               Duration negativeTtl, AuthStats stats) {
        this.providers = providers;
        this.l1 = l1;
        this.l2 = l2;
        this.redis = redis;
        this.revocations = revocations;
        this.maxTokenSize = maxTokenSize;
        this.negative = negative;
        this.negativeTtl = negativeTtl;
        this.stats = stats;
    }

    /**
     * The same caches, revocations and counts with other providers or settings (a reload that changed them). The
     * cache keys hold each provider's fingerprint, so what replaced providers established is not found under
     * changed settings.
     */
    BearerTokens with(Providers next, long nextMaxTokenSize, Duration nextNegativeTtl) {
        return new BearerTokens(next, l1, l2, redis, revocations, nextMaxTokenSize, negative, nextNegativeTtl,
                stats);
    }

    /**
     * Bounds level 1, the negative cache and the local revocation list anew; they are shared by every layer made
     * with {@link #with}.
     */
    void resize(int maxEntries) {
        l1.resize(maxEntries);
        negative.policy().eviction().ifPresent(e -> e.setMaximum(maxEntries));
        revocations.resize(maxEntries);
    }

    Providers providers() {
        return providers;
    }

    long maxTokenSize() {
        return maxTokenSize;
    }

    Duration negativeTtl() {
        return negativeTtl;
    }

    /** The verified token, or the reason it is refused; a token of any provider is accepted. */
    public VerifiedToken authenticate(String token) throws AuthException {
        return authenticate(token, Set.of());
    }

    /**
     * The verified token, or the reason it is refused.
     *
     * @param accepted the providers whose tokens are accepted; empty: every provider
     */
    public VerifiedToken authenticate(String token, Set<String> accepted) throws AuthException {
        try {
            return lookup(token, accepted);
        } catch (AuthException e) {
            stats.failed(e.reason());
            throw e;
        }
    }

    private VerifiedToken lookup(String token, Set<String> accepted) throws AuthException {
        if (token.length() > maxTokenSize) {
            throw new AuthException(AuthException.Reason.TOO_LARGE);
        }
        Verification by = providers.select(token, accepted);
        String hash = sha256(token);
        String key = by.fingerprint() + ":" + hash;
        Refusal bad = negative.getIfPresent(key);
        if (bad != null) {
            stats.negativeHits.increment();
            throw new AuthException(bad.reason());
        }
        VerifiedToken t = cached(key, by);
        if (t != null) {
            return unlessRevoked(hash, t);
        }
        try {
            stats.verifications.increment();
            t = by.verify(token);
        } catch (AuthException e) {
            AuthException.Reason r = e.reason();
            if (r != AuthException.Reason.UNKNOWN_KEY && r != AuthException.Reason.INTROSPECTION_UNAVAILABLE) {
                // an unknown key may become known by a JWKS refetch, an endpoint may answer again; the rest stays bad
                negative.put(key, new Refusal(r, by.refusalTtl(negativeTtl)));
            }
            throw e;
        }
        VerifiedToken verified = unlessRevoked(hash, t);
        // a JWKS refetch for an unknown kid may have changed the fingerprint: file the result under the new one
        String current = by.fingerprint() + ":" + hash;
        l1.put(current, verified, by);
        if (l2 != null) {
            l2.put(current, verified, by);
        }
        return verified;
    }

    private VerifiedToken cached(String key, Verification by) {
        VerifiedToken t = l1.get(key, by);
        if (t != null) {
            stats.l1Hits.increment();
            return t;
        }
        stats.l1Misses.increment();
        if (l2 == null) {
            return null;
        }
        try {
            t = l2.get(key, by);
        } catch (RedisCalls.Unavailable e) {
            t = null; // level 1 and direct verification carry on
        }
        if (t == null) {
            stats.l2Misses.increment();
            return null;
        }
        stats.l2Hits.increment();
        l1.put(key, t, by);
        return t;
    }

    /** The cache keys of a token (by its hash) under every provider's current settings. */
    List<String> keys(String hash) {
        List<String> out = new ArrayList<>();
        for (String fp : providers.fingerprints()) {
            out.add(fp + ":" + hash);
        }
        return out;
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
