package dev.tollgate.auth;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tollgate.config.AuthConfig;
import dev.tollgate.config.RedisConfig;
import dev.tollgate.observability.ManagementBeans;
import dev.tollgate.redis.Redis;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authentication runtime, built once from the configuration: the identity providers (key sources, a JWKS
 * refreshed in the background, static keys, introspection endpoints), the two cache levels, revocations, API
 * keys, the MXBean and the metrics. Thread-safe; {@link #close()} stops the JWKS refreshes, the revocation feed,
 * the introspection clients and the token cache's Redis client.
 */
public final class Authentication implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Authentication.class);
    /** How often the revocation feed pings its subscription: a dead connection is noticed within 3 of these. */
    private static final Duration FEED_HEARTBEAT = Duration.ofSeconds(5);

    private final Authenticator authenticator;
    private final TokenAuthenticator tokens;
    private final UserContext userContext;
    private final ClaimHeaders claimHeaders = new ClaimHeaders();
    private final ProviderRuntimes runtimes;
    private final RedisCalls redisCalls;
    private final RevocationFeed feed;
    private final AuthConfig config;
    private final Ticker ticker;

    /**
     * @param redis the shared Redis client; used only with the {@code redis} cache policy
     */
    public Authentication(AuthConfig config, RedisConfig redisConfig, Redis redis, Clock clock, Ticker ticker) {
        this.config = config;
        this.ticker = ticker;
        runtimes = new ProviderRuntimes(config, clock);
        redisCalls = config.usesRedis() && redis != null ? new RedisCalls(redisConfig, config.redisTimeout(), redis)
                : null;
        int max = config.cacheMaxEntries();
        Revocations revocations = new Revocations(max, redisCalls, clock, ticker);
        feed = redisCalls == null ? null : new RevocationFeed(redisConfig, revocations, FEED_HEARTBEAT);
        if (feed != null) {
            feed.start();
        }
        tokens = new TokenAuthenticator(runtimes.providers(), new LocalTokenCache(max, clock, ticker),
                redisCalls == null ? null : new RedisTokenCache(redisCalls, clock), redisCalls,
                revocations, config.jwt().maxTokenSize(), max, config.negativeTtl(), ticker);
        ApiKeys apiKeys = new ApiKeys(config.apiKeys().keys(), config.apiKeys().redisLookup() ? redisCalls : null,
                max, config.negativeTtl(), ticker);
        authenticator = new Authenticator(tokens, apiKeys, config.apiKeys().header());
        userContext = new UserContext(config.headers());
        LOG.info("start-up: authentication cache={} providers={} api-keys={}", config.cache(),
                config.providers().keySet(), config.apiKeys().keys().size());
    }

    /** Registers the {@code tollgate:type=TokenCache} MXBean and the {@code tollgate.auth.*} meters. */
    public void expose(ManagementBeans management, MeterRegistry registry, String policy) {
        management.register(ManagementBeans.name("TokenCache", null), new TokenCacheBean(tokens, policy));
        AuthStats s = tokens.stats();
        FunctionCounter.builder("tollgate.auth.verifications", s, AuthStats::verifications).register(registry);
        FunctionCounter.builder("tollgate.auth.cache.hits", s, AuthStats::l1Hits).tag("level", "1").register(registry);
        FunctionCounter.builder("tollgate.auth.cache.misses", s, AuthStats::l1Misses).tag("level", "1")
                .register(registry);
        FunctionCounter.builder("tollgate.auth.cache.hits", s, AuthStats::l2Hits).tag("level", "2").register(registry);
        FunctionCounter.builder("tollgate.auth.cache.misses", s, AuthStats::l2Misses).tag("level", "2")
                .register(registry);
        FunctionCounter.builder("tollgate.auth.negative.hits", s, AuthStats::negativeHits).register(registry);
        Gauge.builder("tollgate.auth.cache.hit.ratio", s, x -> AuthStats.ratio(x.l1Hits(), x.l1Misses()))
                .tag("level", "1").strongReference(true).register(registry);
        Gauge.builder("tollgate.auth.cache.hit.ratio", s, x -> AuthStats.ratio(x.l2Hits(), x.l2Misses()))
                .tag("level", "2").strongReference(true).register(registry);
        for (AuthException.Reason r : AuthException.Reason.values()) {
            FunctionCounter.builder("tollgate.auth.failures", s, x -> x.failures(r)).tag("reason", r.tag())
                    .register(registry);
        }
        for (Introspector i : runtimes.introspectors()) {
            FunctionCounter.builder("tollgate.auth.introspections", i, Introspector::calls).tag("provider", i.provider())
                    .register(registry);
        }
        RedisCalls calls = redisCalls;
        if (calls != null) {
            FunctionCounter.builder("tollgate.auth.redis.fallbacks", calls, RedisCalls::fallbacks).register(registry);
        }
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    /**
     * The authenticator of a reloaded configuration: the same token layer (providers, token cache) with the
     * reloaded API keys and API-key header (the Redis lookup stays as started).
     */
    public Authenticator authenticator(AuthConfig.ApiKeys keys) {
        ApiKeys apiKeys = new ApiKeys(keys.keys(), config.apiKeys().redisLookup() ? redisCalls : null,
                config.cacheMaxEntries(), config.negativeTtl(), ticker);
        return new Authenticator(tokens, apiKeys, keys.header());
    }

    public UserContext userContext() {
        return userContext;
    }

    /** The routes' claim headers. */
    public ClaimHeaders claimHeaders() {
        return claimHeaders;
    }

    /** The token layer, for tests and the benchmark. */
    public TokenAuthenticator tokens() {
        return tokens;
    }

    @Override
    public void close() {
        runtimes.close();
        if (feed != null) {
            feed.close();
        }
        if (redisCalls != null) {
            redisCalls.close();
        }
    }
}
