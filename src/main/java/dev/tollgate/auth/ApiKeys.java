package dev.tollgate.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tollgate.config.AuthConfig;
import dev.tollgate.redis.Redis;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API keys, known only by the SHA-256 of the key. A presented key is hashed and compared with every configured
 * hash in constant time ({@link MessageDigest#isEqual}), without stopping at a match, so the time taken says
 * nothing about which key, or how much of one, matched. Optionally, a key not in the configuration is looked up
 * in Redis at {@code tollgate:auth:apikey:<sha256 hex>} (JSON {@code {"id","owner","plan","roles","scopes"}}; only
 * the hash is ever sent to Redis, and the lookup by hash reveals nothing about the key). Those answers, found or
 * not, are remembered in process for {@code gateway.auth.cache.negative-ttl}: a key added to or removed from Redis
 * takes effect within that time. When Redis does not answer (the token cache's timeout and back-off apply), a key
 * not in that local cache is refused: the lookup fails closed, and configured keys keep working. Thread-safe.
 */
public final class ApiKeys {
    static final String PREFIX = Redis.NAMESPACE + "auth:apikey:";
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeys.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<AuthConfig.ApiKey> keys;
    private final RedisCalls redis;
    private final Cache<String, Optional<AuthConfig.ApiKey>> fromRedis;

    ApiKeys(List<AuthConfig.ApiKey> keys, RedisCalls redis, int maxEntries, Duration ttl, Ticker ticker) {
        this.keys = List.copyOf(keys);
        this.redis = redis;
        this.fromRedis = redis == null ? null
                : Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(ttl).ticker(ticker).build();
    }

    /** The key's configuration, or the refusal. */
    public AuthConfig.ApiKey find(String presented) throws AuthException {
        byte[] hash = sha256(presented);
        AuthConfig.ApiKey found = null;
        for (AuthConfig.ApiKey k : keys) {
            if (MessageDigest.isEqual(hash, k.sha256())) {
                found = k;
            }
        }
        if (found == null && fromRedis != null) {
            String hex = HexFormat.of().formatHex(hash);
            Optional<AuthConfig.ApiKey> cached = fromRedis.getIfPresent(hex);
            if (cached == null) {
                try {
                    cached = Optional.ofNullable(parse(redis.call(j -> j.get(PREFIX + hex)), hash));
                    fromRedis.put(hex, cached);
                } catch (RedisCalls.Unavailable e) {
                    cached = Optional.empty(); // configured keys still work; not remembered
                }
            }
            found = cached.orElse(null);
        }
        if (found == null) {
            throw new AuthException(AuthException.Reason.UNKNOWN_API_KEY);
        }
        return found;
    }

    private static AuthConfig.ApiKey parse(String json, byte[] hash) {
        if (json == null) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(json);
            String owner = n.path("owner").asText("");
            if (owner.isEmpty()) {
                unreadable();
                return null;
            }
            return new AuthConfig.ApiKey(n.path("id").asText(owner), hash, owner,
                    n.hasNonNull("plan") ? n.get("plan").asText() : null, strings(n.path("roles")),
                    strings(n.path("scopes")));
        } catch (java.io.IOException e) {
            unreadable();
            return null;
        }
    }

    private static void unreadable() {
        // at most once per entry and cache TTL; neither the key nor its hash is logged
        LOG.warn("api-key: a Redis entry under {}* is not a JSON object with an \"owner\"; the key is refused", PREFIX);
    }

    private static Set<String> strings(JsonNode n) {
        Set<String> out = new LinkedHashSet<>();
        n.forEach(v -> out.add(v.asText()));
        return out;
    }

    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
