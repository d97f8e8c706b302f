package dev.tollgate.config;

import java.net.URI;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Authentication settings under {@code gateway.auth.}: how JWTs are verified, where verified results are cached,
 * the API keys, and the user-context headers sent upstream. Immutable.
 *
 * @param cache where verified results are kept: in process only, or also (level 2 and revocations) in Redis
 * @param cacheMaxEntries bound of the level-1 cache (and of the negative cache and local revocation list)
 * @param negativeTtl how long a token that failed verification is remembered as bad
 * @param redisTimeout longest wait for one Redis call on the request path; then level 1 + verification
 * @param jwt JWT verification under {@code gateway.auth.jwt.*}: the {@code default} provider's settings, and the
 *            token size limit of every provider
 * @param apiKeys API keys
 * @param headers user-context header names (an empty name: not sent)
 * @param providers the identity providers by name, in name order: {@code default} (from {@code gateway.auth.jwt.*},
 *                  when it has a key source) and every {@code gateway.auth.providers.<name>}
 */
public record AuthConfig(CacheKind cache, int cacheMaxEntries, Duration negativeTtl, Duration redisTimeout, Jwt jwt,
                         ApiKeys apiKeys, UserHeaders headers, Map<String, Provider> providers) {
    /** The name of the provider configured by {@code gateway.auth.jwt.*}. */
    public static final String DEFAULT_PROVIDER = "default";

    public AuthConfig {
        providers = Collections.unmodifiableMap(new LinkedHashMap<>(providers));
    }

    public boolean usesRedis() {
        return cache == CacheKind.REDIS;
    }

    /** Where the token cache keeps verified results ({@code gateway.auth.cache}). */
    public enum CacheKind {
        /** {@code local}: in process only. */
        LOCAL("local"),
        /** {@code redis}: level 2 and revocations shared in Redis as well. */
        REDIS("redis");

        private final String label;

        CacheKind(String label) {
            this.label = label;
        }

        /** The configuration's name for it. */
        public String label() {
            return label;
        }
    }

    /**
     * @param jwksUri the JWKS document, or null
     * @param jwksRefresh background refresh period of the JWKS
     * @param jwksMinRefetch least time between two fetches caused by an unknown {@code kid}
     * @param jwksTimeout connect and read timeout of a JWKS fetch
     * @param keys static keys from the configuration, by key id
     * @param issuers accepted {@code iss} values; empty: not checked
     * @param audiences accepted {@code aud} values (any one suffices); empty: not checked
     * @param leeway clock skew allowed on {@code exp}, {@code nbf} and {@code iat}
     * @param maxTokenSize longest accepted token in bytes
     * @param rolesClaims claim paths read for roles, first present wins (e.g. {@code realm_access.roles})
     * @param scopesClaims claim paths read for scopes, first present wins
     * @param planClaims claim paths read for the plan, first present wins; empty: no plan
     * @param requiredClaims claims a token must carry besides {@code exp}
     */
    public record Jwt(URI jwksUri, Duration jwksRefresh, Duration jwksMinRefetch, Duration jwksTimeout,
                      List<StaticKey> keys, List<String> issuers, List<String> audiences, Duration leeway,
                      long maxTokenSize, List<String> rolesClaims, List<String> scopesClaims,
                      List<String> planClaims, List<String> requiredClaims) {
        public Jwt {
            keys = List.copyOf(keys);
            issuers = List.copyOf(issuers);
            audiences = List.copyOf(audiences);
            rolesClaims = List.copyOf(rolesClaims);
            scopesClaims = List.copyOf(scopesClaims);
            planClaims = List.copyOf(planClaims);
            requiredClaims = List.copyOf(requiredClaims);
        }

        /** Whether any key source is configured. */
        public boolean hasKeys() {
            return jwksUri != null || !keys.isEmpty();
        }
    }

    /**
     * One identity provider: how its JWTs are verified, and optionally where its tokens are introspected.
     *
     * @param name {@code default} or the {@code <name>} of {@code gateway.auth.providers.<name>.*}
     * @param jwt its keys, issuers, audiences, leeway and claim names
     * @param introspection its OAuth 2.0 token introspection endpoint (RFC 7662), or null
     */
    public record Provider(String name, Jwt jwt, Introspection introspection) {
        /** Whether JWTs are accepted: verified with its keys, or introspected when it introspects all tokens. */
        public boolean acceptsJwts() {
            return jwt.hasKeys() || introspection != null && introspection.allTokens();
        }
    }

    /**
     * Token introspection (RFC 7662) of one provider ({@code gateway.auth.providers.<name>.introspection.*}).
     *
     * @param uri the introspection endpoint
     * @param clientId the gateway's client id at the authorization server
     * @param clientSecret its client secret (a secret: never logged, masked in {@link #toString()})
     * @param timeout connect and response timeout of one call
     * @param maxCache longest time an active answer is trusted (also bounded by the token's {@code exp})
     * @param negativeCache how long an inactive answer is remembered
     * @param retryInterval after a failed call, how long the endpoint is not asked (requests get 503)
     * @param allTokens introspect JWTs of this provider's issuers too, not only tokens that are no JWT
     */
    public record Introspection(URI uri, String clientId, String clientSecret, Duration timeout, Duration maxCache,
                                Duration negativeCache, Duration retryInterval, boolean allTokens) {
        @Override
        public String toString() {
            return "Introspection[uri=" + Secrets.withoutUserInfo(uri.toString()) + ", clientId=" + clientId
                    + ", clientSecret=" + Secrets.MASK + ", timeout=" + timeout + ", maxCache=" + maxCache
                    + ", negativeCache=" + negativeCache + ", retryInterval=" + retryInterval
                    + ", allTokens=" + allTokens + "]";
        }
    }

    /**
     * A key from the configuration, with the one algorithm it verifies.
     *
     * @param kid the key id tokens name in their header ({@code gateway.auth.jwt.keys.<kid>.})
     * @param algorithm RS256/384/512, ES256/384/512 or HS256/384/512
     * @param publicKey the RSA or EC public key, or null for an HS secret
     * @param secret the HMAC secret, or null
     */
    public record StaticKey(String kid, String algorithm, PublicKey publicKey, byte[] secret) {
    }

    /**
     * @param header the request header carrying the key
     * @param keys the configured keys (hashes only)
     * @param redisLookup also look a key's hash up in Redis ({@code tollgate:auth:apikey:<sha256>})
     */
    public record ApiKeys(String header, List<ApiKey> keys, boolean redisLookup) {
        public ApiKeys {
            keys = List.copyOf(keys);
        }
    }

    /**
     * One API key: the SHA-256 of the key, never the key.
     *
     * @param id the configured name ({@code gateway.auth.api-keys.<id>.})
     * @param sha256 the 32-byte hash of the key's UTF-8 bytes
     * @param owner who the key belongs to (sent upstream, the principal's subject)
     * @param plan the plan, or null
     * @param roles roles the key grants
     * @param scopes scopes the key grants
     */
    public record ApiKey(String id, byte[] sha256, String owner, String plan, Set<String> roles, Set<String> scopes) {
        public ApiKey {
            roles = Set.copyOf(roles);
            scopes = Set.copyOf(scopes);
        }
    }

    /** Names of the user-context headers sent upstream; an empty name is not sent. */
    public record UserHeaders(String userId, String roles, String scopes, String plan, String method,
                              String apiKeyOwner) {
        /** The configured names, empty ones left out. */
        public List<String> names() {
            return java.util.stream.Stream.of(userId, roles, scopes, plan, method, apiKeyOwner)
                    .filter(n -> !n.isEmpty()).toList();
        }
    }

    /** A route's authentication policy. */
    public enum Policy {
        NONE("none"), JWT("jwt"), API_KEY("api-key"), JWT_OR_API_KEY("jwt-or-api-key");

        private final String label;

        Policy(String label) {
            this.label = label;
        }

        /** The configuration's name for it ({@code gateway.routes.<name>.auth}). */
        public String label() {
            return label;
        }

        public boolean acceptsJwt() {
            return this == JWT || this == JWT_OR_API_KEY;
        }

        public boolean acceptsApiKey() {
            return this == API_KEY || this == JWT_OR_API_KEY;
        }
    }

    /**
     * Authentication of one route ({@code gateway.routes.<name>.auth} and {@code .auth.*}).
     *
     * @param policy which credentials the route accepts
     * @param roles the caller needs at least one of these roles (empty: no role needed)
     * @param scopes the caller needs every one of these scopes
     * @param hideCredentials remove {@code Authorization} / the API-key header before forwarding
     * @param providers the identity providers whose tokens the route accepts; empty: every provider
     */
    public record RouteAuth(Policy policy, Set<String> roles, Set<String> scopes, boolean hideCredentials,
                            Set<String> providers) {
        public static final RouteAuth NONE = new RouteAuth(Policy.NONE, Set.of(), Set.of(), false);

        public RouteAuth {
            roles = Set.copyOf(roles);
            scopes = Set.copyOf(scopes);
            providers = Set.copyOf(providers);
        }

        /** A route that accepts every provider's tokens. */
        public RouteAuth(Policy policy, Set<String> roles, Set<String> scopes, boolean hideCredentials) {
            this(policy, roles, scopes, hideCredentials, Set.of());
        }

        /** Whether the route accepts tokens of this provider. */
        public boolean accepts(String provider) {
            return providers.isEmpty() || providers.contains(provider);
        }
    }
}
