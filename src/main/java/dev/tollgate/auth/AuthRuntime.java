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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authentication runtime: the identity providers (key sources, a JWKS refreshed in the background, static
 * keys, introspection endpoints), the two cache levels, revocations, API keys, the MXBean and the metrics. The
 * caches, the revocations and the counts are built once; the providers and the API keys again by a reload that
 * changes them ({@link #reloaded}), and the replaced providers are closed once no request uses them
 * ({@link #release}). Thread-safe; {@link #close()} stops the JWKS refreshes, the revocation feed, the
 * introspection clients and the token cache's Redis client.
 */
public final class AuthRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuthRuntime.class);
    /** How often the revocation feed pings its subscription: a dead connection is noticed within 3 of these. */
    private static final Duration FEED_HEARTBEAT = Duration.ofSeconds(5);

    private final Authenticator authenticator;
    private final ClaimHeaders claimHeaders = new ClaimHeaders();
    /** The providers some runtime may still use, with what runs for them (by identity). */
    private final Map<Providers, ProviderRuntimes> live = new ConcurrentHashMap<>();
    /** Introspection calls by provider name: one count per name, whichever providers' build made them. */
    private final Map<String, LongAdder> introspectionCalls = new ConcurrentHashMap<>();
    private final RedisCalls redisCalls;
    private final RedisConfig redisConfig;
    /** Token-cache clients replaced by a reload of their timeout, closed once the runtime before it is done. */
    private final List<Redis> retiredClients = new CopyOnWriteArrayList<>();
    private final RevocationFeed feed;
    private final Clock clock;
    private final Ticker ticker;
    private volatile BearerTokens latest;
    private volatile MeterRegistry registry;

    /**
     * @param redis the shared Redis client; used only with the {@code redis} cache policy
     */
    public AuthRuntime(AuthConfig config, RedisConfig redisConfig, Redis redis, Clock clock, Ticker ticker) {
        this.clock = clock;
        this.ticker = ticker;
        this.redisConfig = redisConfig;
        ProviderRuntimes runtimes = new ProviderRuntimes(config, clock, this::introspectionCalls);
        redisCalls = config.usesRedis() && redis != null ? new RedisCalls(redisConfig, config.redisTimeout(), redis)
                : null;
        int max = config.cacheMaxEntries();
        Revocations revocations = new Revocations(max, redisCalls, clock, ticker);
        feed = redisCalls == null ? null : new RevocationFeed(redisConfig, revocations, FEED_HEARTBEAT);
        if (feed != null) {
            feed.start();
        }
        RedisTokenCache l2 = redisCalls == null ? null : new RedisTokenCache(redisCalls, clock);
        LocalTokenCache l1 = new LocalTokenCache(max, clock, ticker);
        BearerTokens tokens = new BearerTokens(runtimes.providers(), l1, l2, redisCalls, revocations,
                config.jwt().maxTokenSize(), max, config.negativeTtl(), ticker);
        live.put(runtimes.providers(), runtimes);
        latest = tokens;
        authenticator = authenticator(tokens, config);
        LOG.info("start-up: authentication cache={} providers={} api-keys={}", config.cache().label(),
                config.providers().keySet(), config.apiKeys().keys().size());
    }

    /** Registers the {@code tollgate:type=TokenCache} MXBean and the {@code tollgate.auth.*} meters. */
    public void expose(ManagementBeans management, MeterRegistry registry, String policy) {
        this.registry = registry;
        management.register(ManagementBeans.name("TokenCache", null), new TokenCacheBean(this::tokens, policy));
        AuthStats s = latest.stats();
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
        introspectionCalls.keySet().forEach(this::introspectionMeter);
        RedisCalls calls = redisCalls;
        if (calls != null) {
            FunctionCounter.builder("tollgate.auth.redis.fallbacks", calls, RedisCalls::fallbacks).register(registry);
        }
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    /**
     * The authenticator of a reloaded configuration: its API keys, their header and Redis lookup (when the token
     * cache uses Redis since start-up), its user-context headers, token size limit, negative-cache time and cache
     * bound. The token cache, the revocations and the counts stay. The identity providers are built anew from
     * {@code next} when {@code providersChanged} (their JWKS fetchers and introspection clients start here), else
     * the running ones are kept. Call {@link #release} once the replaced authenticator is no longer used.
     *
     * @throws RuntimeException when a provider cannot be built; nothing of it is left running
     */
    public Authenticator reloaded(AuthConfig next, Authenticator running, boolean providersChanged) {
        BearerTokens tokens = running.tokens();
        Providers providers = tokens.providers();
        if (providersChanged) {
            ProviderRuntimes built = new ProviderRuntimes(next, clock, this::introspectionCalls);
            providers = built.providers();
            live.put(providers, built);
            introspectionCalls.keySet().forEach(this::introspectionMeter);
            LOG.info("config reload: identity providers {} built", next.providers().keySet());
        }
        if (providers != tokens.providers() || next.jwt().maxTokenSize() != tokens.maxTokenSize()
                || !next.negativeTtl().equals(tokens.negativeTtl())) {
            tokens = tokens.with(providers, next.jwt().maxTokenSize(), next.negativeTtl());
        }
        tokens.resize(next.cacheMaxEntries());
        if (redisCalls != null) {
            Redis replaced = redisCalls.retime(redisConfig, next.redisTimeout());
            if (replaced != null) {
                retiredClients.add(replaced);
                LOG.info("config reload: token cache's Redis timeout now {} ms", next.redisTimeout().toMillis());
            }
        }
        latest = tokens;
        return authenticator(tokens, next);
    }

    /** The token layer with the configuration's API keys (looked up in Redis when it says so) and headers. */
    private Authenticator authenticator(BearerTokens tokens, AuthConfig config) {
        ApiKeys apiKeys = new ApiKeys(config.apiKeys().keys(), config.apiKeys().redisLookup() ? redisCalls : null,
                config.cacheMaxEntries(), config.negativeTtl(), ticker);
        return new Authenticator(tokens, apiKeys, config.apiKeys().header(), new UserContext(config.headers()));
    }

    /**
     * Closes the identity providers of an authenticator that a reload replaced and that no request uses any more,
     * unless {@code current} shares them.
     */
    public void release(Authenticator replaced, Authenticator current) {
        for (Redis client : retiredClients) {
            retiredClients.remove(client);
            client.close();
        }
        Providers gone = replaced.tokens().providers();
        if (gone == current.tokens().providers()) {
            return;
        }
        ProviderRuntimes runtimes = live.remove(gone);
        if (runtimes != null) {
            runtimes.close();
        }
    }

    private LongAdder introspectionCalls(String provider) {
        return introspectionCalls.computeIfAbsent(provider, p -> new LongAdder());
    }

    /** The {@code tollgate.auth.introspections} meter of a provider, once {@link #expose} gave the registry. */
    private void introspectionMeter(String provider) {
        MeterRegistry r = registry;
        if (r != null) {
            FunctionCounter.builder("tollgate.auth.introspections", introspectionCalls(provider), LongAdder::sum)
                    .tag("provider", provider).register(r);
        }
    }

    /** The routes' claim headers. */
    public ClaimHeaders claimHeaders() {
        return claimHeaders;
    }

    /** The token layer of the latest configuration, for the MXBean, tests and the benchmark. */
    public BearerTokens tokens() {
        return latest;
    }

    @Override
    public void close() {
        live.values().forEach(ProviderRuntimes::close);
        live.clear();
        if (feed != null) {
            feed.close();
        }
        if (redisCalls != null) {
            redisCalls.close();
        }
        retiredClients.forEach(Redis::close);
        retiredClients.clear();
    }
}
