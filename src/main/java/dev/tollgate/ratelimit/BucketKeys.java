package dev.tollgate.ratelimit;

import dev.tollgate.auth.Principal;
import dev.tollgate.config.RateLimitRule;
import dev.tollgate.redis.Redis;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names buckets: {@code tollgate:rl:{<source>:<digest>}:<rule>}. The identity (the client address, the
 * principal, a header value...) appears only as a SHA-256 digest, so key names never hold an API key name or a
 * header's value. The hash tag is the identity, so that all rules keyed by the same identity share one Redis
 * Cluster slot and one script call can touch all of them. Stateless.
 */
final class BucketKeys {
    private static final String PREFIX = Redis.NAMESPACE + "rl:{";
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private BucketKeys() {
    }

    /**
     * The bucket of a rule for a caller. Where the rule's identity is missing (an anonymous caller of a rule
     * keyed by principal, a missing header) the caller is keyed by client address instead.
     */
    static String of(RateLimitRule rule, Caller caller) {
        String value = identity(rule, caller);
        return value == null ? key(rule, RateLimitRule.Key.IP, caller.clientAddress())
                : key(rule, rule.key(), value);
    }

    /** The bucket of a rule for an identity value given as written (e.g. an address, a subject). */
    static String key(RateLimitRule rule, RateLimitRule.Key source, String value) {
        byte[] digest = SHA256.get().digest(value.getBytes(StandardCharsets.UTF_8));
        return PREFIX + source.label() + ":" + HexFormat.of().formatHex(digest, 0, 12) + "}:" + rule.name();
    }

    private static String identity(RateLimitRule rule, Caller caller) {
        Principal p = caller.principal();
        switch (rule.key()) {
            case IP:
                return caller.clientAddress();
            case ROUTE:
                return caller.route();
            case HEADER:
                return caller.headers().apply(rule.header());
            case PRINCIPAL:
                return p == null ? null : p.subject();
            case API_KEY:
                return p == null ? null : p.apiKeyId();
            case PLAN:
                return p == null ? null : p.plan();
            default:
                return p == null ? null : role(rule, p);
        }
    }

    /** The role a role-keyed bucket counts: the first (in name order) the rule names, or the principal's first. */
    private static String role(RateLimitRule rule, Principal p) {
        String best = null;
        for (String r : p.roles()) {
            if ((rule.roles().isEmpty() || rule.roles().contains(r)) && (best == null || r.compareTo(best) < 0)) {
                best = r;
            }
        }
        return best;
    }
}
