package dev.tollgate.config;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
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
    private static final Pattern CLAIM = Pattern.compile("[A-Za-z0-9_:-]+(\\.[A-Za-z0-9_:-]+)*");
    private static final List<String> ALGORITHMS = List.of("RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
            "HS256", "HS384", "HS512");

    private AuthConfigs() {
    }

    static AuthConfig parse(Settings s, RedisConfig redis) {
        String cache = s.string(P + "cache", "local");
        if (!cache.equals("local") && !cache.equals("redis")) {
            s.problem(P + "cache", cache, "local or redis");
            cache = "local";
        } else if (cache.equals("redis") && !redis.isConfigured()) {
            s.problem(P + "cache", cache, "local, or gateway.redis.uri to be set for redis");
        }
        boolean redisLookup = s.bool(P + "api-key.redis-lookup", false);
        if (redisLookup && !cache.equals("redis")) {
            s.problem(P + "api-key.redis-lookup", "true", "false, or gateway.auth.cache = redis");
        }
        AuthConfig.ApiKeys apiKeys = new AuthConfig.ApiKeys(header(s, P + "api-key.header", "X-API-Key", false),
                apiKeys(s), redisLookup);
        AuthConfig.UserHeaders headers = new AuthConfig.UserHeaders(
                header(s, P + "headers.user-id", "X-User-Id", true),
                header(s, P + "headers.roles", "X-User-Roles", true),
                header(s, P + "headers.scopes", "X-User-Scopes", true),
                header(s, P + "headers.plan", "X-User-Plan", true),
                header(s, P + "headers.method", "X-Auth-Method", true),
                header(s, P + "headers.api-key-owner", "X-Api-Key-Owner", true));
        return new AuthConfig(cache, s.integer(P + "cache.max-entries", 100_000, 1, 100_000_000),
                s.positiveDuration(P + "cache.negative-ttl", Duration.ofSeconds(10)),
                s.positiveDuration(P + "cache.redis-timeout", Duration.ofMillis(50)), jwt(s), apiKeys, headers);
    }

    private static AuthConfig.Jwt jwt(Settings s) {
        String j = P + "jwt.";
        String jwks = s.string(j + "jwks-uri");
        URI jwksUri = jwks == null ? null : s.uri(j + "jwks-uri", jwks, List.of("http", "https"));
        List<AuthConfig.StaticKey> keys = new ArrayList<>();
        for (String kid : s.names(j + "keys.")) {
            AuthConfig.StaticKey k = staticKey(s, j + "keys." + kid + ".", kid);
            if (k != null) {
                keys.add(k);
            }
        }
        long maxSize = s.size(j + "max-token-size", 8192);
        if (maxSize < 64 || maxSize > 1 << 20) {
            s.problem(j + "max-token-size", String.valueOf(maxSize), "a size from 64B to 1MB");
        }
        return new AuthConfig.Jwt(jwksUri, s.positiveDuration(j + "jwks-refresh-interval", Duration.ofMinutes(5)),
                s.positiveDuration(j + "jwks-min-refetch-interval", Duration.ofSeconds(30)),
                s.positiveDuration(j + "jwks-timeout", Duration.ofSeconds(2)), keys, s.list(j + "issuer"),
                s.list(j + "audience"), s.duration(j + "leeway", Duration.ofSeconds(30)), maxSize,
                claims(s, j + "roles-claim"), claims(s, j + "scopes-claim"), claims(s, j + "plan-claim"));
    }

    private static List<String> claims(Settings s, String key) {
        List<String> out = s.list(key);
        for (String c : out) {
            if (!CLAIM.matcher(c).matches()) {
                s.problem(key, c, "claim names or dotted paths (e.g. roles, realm_access.roles)");
            }
        }
        return out;
    }

    private static AuthConfig.StaticKey staticKey(Settings s, String p, String kid) {
        if (!KID.matcher(kid).matches()) {
            s.problem(p + "algorithm", kid, "a key id of letters, digits, _ and -");
        }
        String alg = s.required(p + "algorithm");
        String pem = s.string(p + "public-key");
        String file = s.string(p + "public-key-file");
        String secret = s.string(p + "secret");
        if (alg == null) {
            return null;
        }
        alg = alg.toUpperCase(Locale.ROOT);
        if (!ALGORITHMS.contains(alg)) {
            s.problem(p + "algorithm", alg, "one of " + ALGORITHMS);
            return null;
        }
        if (alg.startsWith("HS")) {
            int min = Integer.parseInt(alg.substring(2)) / 8;
            if (secret == null || pem != null || file != null) {
                s.problem(p + "secret", null, "a secret (and no public key) for " + alg);
                return null;
            }
            byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < min) {
                // RFC 7518 section 3.2: a key at least as long as the hash output
                s.problem(p + "secret", "****", "at least " + min + " bytes for " + alg + " (RFC 7518 section 3.2)");
                return null;
            }
            return new AuthConfig.StaticKey(kid, alg, null, bytes);
        }
        if (secret != null || (pem == null) == (file == null)) {
            s.problem(p + "public-key", pem, "either public-key (PEM) or public-key-file, and no secret, for " + alg);
            return null;
        }
        String text = pem;
        String key = p + "public-key";
        if (file != null) {
            key = p + "public-key-file";
            try {
                text = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
            } catch (IOException | RuntimeException e) {
                s.problem(key, file, "a readable PEM file (" + e.getMessage() + ")");
                return null;
            }
        }
        PublicKey publicKey = publicKey(text, alg);
        if (publicKey == null) {
            s.problem(key, file != null ? file : pem, "an X.509 SubjectPublicKeyInfo PEM of a "
                    + (alg.startsWith("RS") ? "RSA key of 2048 bits or more" : "EC key on the curve of " + alg));
            return null;
        }
        return new AuthConfig.StaticKey(kid, alg, publicKey, null);
    }

    /** Decodes a PEM (or bare base64) public key; null unless it suits the algorithm. */
    static PublicKey publicKey(String pem, String alg) {
        String b64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        try {
            byte[] der = Base64.getDecoder().decode(b64);
            PublicKey key = KeyFactory.getInstance(alg.startsWith("RS") ? "RSA" : "EC")
                    .generatePublic(new X509EncodedKeySpec(der));
            if (key instanceof RSAPublicKey rsa) {
                return rsa.getModulus().bitLength() >= 2048 ? key : null;
            }
            int bits = ((ECPublicKey) key).getParams().getCurve().getField().getFieldSize();
            return bits == (alg.equals("ES512") ? 521 : Integer.parseInt(alg.substring(2))) ? key : null;
        } catch (java.security.GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            return null;
        }
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

    private static String header(Settings s, String key, String fallback, boolean mayBeEmpty) {
        String v = s.string(key);
        if (v == null) {
            // an explicitly empty value switches an optional header off
            return mayBeEmpty && s.isSet(key) ? "" : fallback;
        }
        if (!HEADER.matcher(v).matches()) {
            s.problem(key, v, "a header name of letters, digits and -");
            return fallback;
        }
        return v;
    }

    /** The route's {@code auth} keys. */
    static AuthConfig.RouteAuth route(Settings s, String p) {
        String v = s.string(p + "auth", "none");
        AuthConfig.Policy policy;
        switch (v) {
            case "none": policy = AuthConfig.Policy.NONE; break;
            case "jwt": policy = AuthConfig.Policy.JWT; break;
            case "api-key": policy = AuthConfig.Policy.API_KEY; break;
            case "jwt-or-api-key": policy = AuthConfig.Policy.JWT_OR_API_KEY; break;
            default:
                s.problem(p + "auth", v, "none, jwt, api-key or jwt-or-api-key");
                policy = AuthConfig.Policy.NONE;
        }
        Set<String> roles = new LinkedHashSet<>(s.list(p + "auth.roles"));
        Set<String> scopes = new LinkedHashSet<>(s.list(p + "auth.scopes"));
        boolean hide = s.bool(p + "auth.hide-credentials", false);
        if (policy == AuthConfig.Policy.NONE && (!roles.isEmpty() || !scopes.isEmpty())) {
            s.problem(p + "auth", v, "jwt, api-key or jwt-or-api-key on a route that requires roles or scopes");
        }
        return policy == AuthConfig.Policy.NONE && !hide ? AuthConfig.RouteAuth.NONE
                : new AuthConfig.RouteAuth(policy, roles, scopes, hide);
    }

    /** Checks what needs the routes and the auth section together. */
    static void check(Settings s, AuthConfig auth, List<RouteConfig> routes) {
        for (RouteConfig r : routes) {
            AuthConfig.Policy policy = r.auth().policy();
            String key = "gateway.routes." + r.name() + ".auth";
            if (policy == AuthConfig.Policy.JWT && !auth.jwt().hasKeys()) {
                s.problem(key, "jwt", "a key source: gateway.auth.jwt.jwks-uri or gateway.auth.jwt.keys.<kid>.*");
            }
            if (policy == AuthConfig.Policy.API_KEY && auth.apiKeys().keys().isEmpty() && !auth.apiKeys().redisLookup()) {
                s.problem(key, "api-key", "API keys: gateway.auth.api-keys.<id>.sha256 or gateway.auth.api-key.redis-lookup");
            }
            if (policy == AuthConfig.Policy.JWT_OR_API_KEY && !auth.jwt().hasKeys() && auth.apiKeys().keys().isEmpty()
                    && !auth.apiKeys().redisLookup()) {
                s.problem(key, "jwt-or-api-key", "a JWT key source or API keys");
            }
        }
    }
}
