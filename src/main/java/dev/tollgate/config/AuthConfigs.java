package dev.tollgate.config;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Parses and validates {@code gateway.auth.*} and the routes' {@code auth} keys. Stateless. */
final class AuthConfigs {
    private static final String P = "gateway.auth.";
    private static final Pattern KID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9-]+");
    private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");

    private AuthConfigs() {
    }

    static AuthConfig parse(Settings s, RedisConfig redis) {
        AuthConfig.CacheKind cache = s.choice(P + "cache", AuthConfig.CacheKind.values(),
                AuthConfig.CacheKind::label);
        if (cache == AuthConfig.CacheKind.REDIS && !redis.isConfigured()) {
            s.problem(P + "cache", cache.label(), "local, or gateway.redis.uri to be set for redis");
        }
        boolean redisLookup = s.bool(P + "api-key.redis-lookup");
        if (redisLookup && cache != AuthConfig.CacheKind.REDIS) {
            s.problem(P + "api-key.redis-lookup", "true", "false, or gateway.auth.cache = redis");
        }
        AuthConfig.Jwt jwt = ProviderConfigs.defaultJwt(s);
        AuthConfig.ApiKeys apiKeys = new AuthConfig.ApiKeys(header(s, P + "api-key.header", false),
                apiKeys(s), redisLookup);
        AuthConfig.UserHeaders headers = new AuthConfig.UserHeaders(
                header(s, P + "headers.user-id", true),
                header(s, P + "headers.roles", true),
                header(s, P + "headers.scopes", true),
                header(s, P + "headers.plan", true),
                header(s, P + "headers.method", true),
                header(s, P + "headers.api-key-owner", true));
        return new AuthConfig(cache, s.integer(P + "cache.max-entries", 1, 100_000_000),
                s.positiveDuration(P + "cache.negative-ttl"),
                s.positiveDuration(P + "cache.redis-timeout"), jwt, apiKeys, headers,
                ProviderConfigs.providers(s, jwt));
    }

    private static List<AuthConfig.ApiKey> apiKeys(Settings s) {
        List<AuthConfig.ApiKey> out = new ArrayList<>();
        for (String id : s.names(P + "api-keys.")) {
            String p = P + "api-keys." + id + ".";
            if (!KID.matcher(id).matches()) {
                s.problem(p + "sha256", id, "an API key name of letters, digits, _ and -");
            }
            String hash = s.required(p + "sha256");
            String owner = s.required(p + "owner");
            if (hash != null && !HEX64.matcher(hash).matches()) {
                s.problem(p + "sha256", hash, "the 64 hex digits of the key's SHA-256 (e.g. printf %s KEY | sha256sum)");
                hash = null;
            }
            String plan = s.string(p + "plan");
            Set<String> roles = new LinkedHashSet<>(s.list(p + "roles"));
            Set<String> scopes = new LinkedHashSet<>(s.list(p + "scopes"));
            if (hash != null && owner != null) {
                out.add(new AuthConfig.ApiKey(id, HexFormat.of().parseHex(hash.toLowerCase(Locale.ROOT)), owner, plan,
                        roles, scopes));
            }
        }
        return out;
    }

    private static String header(Settings s, String key, boolean mayBeEmpty) {
        String v = s.string(key);
        if (v == null) {
            // an explicitly empty value switches an optional header off
            return mayBeEmpty && s.isSet(key) ? "" : s.defaultValue(key);
        }
        if (!HEADER.matcher(v).matches()) {
            s.problem(key, v, "a header name of letters, digits and -");
            return s.defaultValue(key);
        }
        return v;
    }

    /** The route's {@code auth} keys. */
    static AuthConfig.RouteAuth route(Settings s, String p) {
        AuthConfig.Policy policy = s.choice(p + "auth", AuthConfig.Policy.values(), AuthConfig.Policy::label);
        Set<String> roles = new LinkedHashSet<>(s.list(p + "auth.roles"));
        Set<String> scopes = new LinkedHashSet<>(s.list(p + "auth.scopes"));
        boolean hide = s.bool(p + "auth.hide-credentials");
        Set<String> providers = new LinkedHashSet<>(s.list(p + "auth.providers"));
        if (policy == null) {
            return AuthConfig.RouteAuth.NONE; // reported
        }
        if (policy == AuthConfig.Policy.NONE && (!roles.isEmpty() || !scopes.isEmpty())) {
            s.problem(p + "auth", policy.label(), "jwt, api-key or jwt-or-api-key on a route that requires roles or "
                    + "scopes");
        }
        if (!policy.acceptsJwt() && !providers.isEmpty()) {
            s.problem(p + "auth.providers", String.join(", ", providers),
                    "no providers on a route that accepts no bearer token (auth = jwt or jwt-or-api-key)");
        }
        return policy == AuthConfig.Policy.NONE && !hide ? AuthConfig.RouteAuth.NONE
                : new AuthConfig.RouteAuth(policy, roles, scopes, hide, providers);
    }

    /** Checks what needs the routes and the auth section together. */
    static void check(Settings s, AuthConfig auth, List<RouteConfig> routes) {
        for (RouteConfig r : routes) {
            AuthConfig.Policy policy = r.auth().policy();
            String key = "gateway.routes." + r.name() + ".auth";
            if (policy.acceptsJwt()) {
                checkProviders(s, auth, r);
            }
            boolean bearer = !auth.providers().isEmpty();
            if (policy == AuthConfig.Policy.JWT && !bearer) {
                s.problem(key, "jwt", "a key source: gateway.auth.jwt.jwks-uri or gateway.auth.jwt.keys.<kid>.*");
            }
            if (policy == AuthConfig.Policy.API_KEY && auth.apiKeys().keys().isEmpty() && !auth.apiKeys().redisLookup()) {
                s.problem(key, "api-key", "API keys: gateway.auth.api-keys.<id>.sha256 or gateway.auth.api-key.redis-lookup");
            }
            if (policy == AuthConfig.Policy.JWT_OR_API_KEY && !bearer && auth.apiKeys().keys().isEmpty()
                    && !auth.apiKeys().redisLookup()) {
                s.problem(key, "jwt-or-api-key", "a JWT key source or API keys");
            }
        }
    }

    /** The route names known providers only, and at most one of those it accepts introspects opaque tokens. */
    private static void checkProviders(Settings s, AuthConfig auth, RouteConfig r) {
        String key = "gateway.routes." + r.name() + ".auth.providers";
        List<String> introspecting = new ArrayList<>();
        for (String name : r.auth().providers()) {
            if (!auth.providers().containsKey(name)) {
                s.problem(key, name, "names of configured providers " + auth.providers().keySet()
                        + " (gateway.auth.providers.<name>.*, or default for gateway.auth.jwt.*)");
            }
        }
        for (AuthConfig.Provider p : auth.providers().values()) {
            if (p.introspection() != null && r.auth().accepts(p.name())) {
                introspecting.add(p.name());
            }
        }
        if (introspecting.size() > 1) {
            // a token that is no JWT names no issuer: sending it to several servers would leak it to all of them
            s.problem(key, r.auth().providers().isEmpty() ? null : String.join(", ", r.auth().providers()),
                    "at most one provider with introspection on a "
                    + "route, since a token that is no JWT names no issuer; these introspect: " + introspecting);
        }
    }
}
