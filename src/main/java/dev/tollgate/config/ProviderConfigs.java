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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses and validates the identity providers: {@code default} from {@code gateway.auth.jwt.*}, and each
 * {@code gateway.auth.providers.<name>.*} with the same JWT keys plus {@code introspection.*}. Stateless.
 */
final class ProviderConfigs {
    static final String JWT = "gateway.auth.jwt.";
    static final String PROVIDERS = "gateway.auth.providers.";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final Pattern CLAIM = Pattern.compile("[A-Za-z0-9_:-]+(\\.[A-Za-z0-9_:-]+)*");
    private static final List<String> ALGORITHMS = List.of("RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
            "HS256", "HS384", "HS512");

    private ProviderConfigs() {
    }

    /** The {@code default} provider's settings (and the token size limit of all). */
    static AuthConfig.Jwt defaultJwt(Settings s) {
        long maxSize = s.size(JWT + "max-token-size");
        if (maxSize < 64 || maxSize > 1 << 20) {
            s.problem(JWT + "max-token-size", String.valueOf(maxSize), "a size from 64B to 1MB");
        }
        return jwt(s, JWT, maxSize);
    }

    /** Every provider by name: {@code default} when {@code gateway.auth.jwt.*} has a key source, then the named. */
    static Map<String, AuthConfig.Provider> providers(Settings s, AuthConfig.Jwt defaults) {
        Map<String, AuthConfig.Provider> out = new LinkedHashMap<>();
        if (defaults.hasKeys()) {
            out.put(AuthConfig.DEFAULT_PROVIDER, new AuthConfig.Provider(AuthConfig.DEFAULT_PROVIDER, defaults, null));
        }
        for (String name : s.names(PROVIDERS)) {
            String p = PROVIDERS + name + ".";
            if (name.equals(AuthConfig.DEFAULT_PROVIDER) || !NAME.matcher(name).matches()) {
                s.problem(p + "issuer", name, "a provider name of letters, digits, _ and - other than default "
                        + "(the default provider is configured under " + JWT + "*)");
                continue;
            }
            AuthConfig.Provider provider = new AuthConfig.Provider(name, jwt(s, p, defaults.maxTokenSize()),
                    introspection(s, p + "introspection."));
            if (!provider.jwt().hasKeys() && provider.introspection() == null) {
                s.problem(p + "jwks-uri", null, "a key source (" + p + "jwks-uri or " + p + "keys.<kid>.*) or "
                        + p + "introspection.uri");
            }
            out.put(name, provider);
        }
        checkIssuers(s, out);
        return out;
    }

    /** No issuer is claimed by two providers, and at most one provider accepts JWTs of any issuer. */
    private static void checkIssuers(Settings s, Map<String, AuthConfig.Provider> providers) {
        if (providers.size() < 2) {
            return;
        }
        Map<String, String> owners = new HashMap<>();
        String anyIssuer = null;
        for (AuthConfig.Provider p : providers.values()) {
            String key = prefix(p.name()) + "issuer";
            if (p.acceptsJwts() && p.jwt().issuers().isEmpty()) {
                if (anyIssuer != null) {
                    s.problem(key, null, "the issuers of provider " + p.name() + ": provider " + anyIssuer
                            + " already accepts tokens of any issuer");
                }
                anyIssuer = p.name();
            }
            for (String iss : p.jwt().issuers()) {
                String other = owners.putIfAbsent(iss, p.name());
                if (other != null) {
                    s.problem(key, iss, "an issuer of this provider only: provider " + other + " claims it too");
                }
            }
        }
    }

    /** The key prefix of a provider's settings. */
    static String prefix(String provider) {
        return provider.equals(AuthConfig.DEFAULT_PROVIDER) ? JWT : PROVIDERS + provider + ".";
    }

    private static AuthConfig.Jwt jwt(Settings s, String j, long maxTokenSize) {
        String jwks = s.string(j + "jwks-uri");
        URI jwksUri = jwks == null ? null : s.uri(j + "jwks-uri", jwks, List.of("http", "https"));
        List<AuthConfig.StaticKey> keys = new ArrayList<>();
        for (String kid : s.names(j + "keys.")) {
            AuthConfig.StaticKey k = staticKey(s, j + "keys." + kid + ".", kid);
            if (k != null) {
                keys.add(k);
            }
        }
        return new AuthConfig.Jwt(jwksUri, s.positiveDuration(j + "jwks-refresh-interval"),
                s.positiveDuration(j + "jwks-min-refetch-interval"), s.positiveDuration(j + "jwks-timeout"), keys,
                s.list(j + "issuer"), s.list(j + "audience"), s.duration(j + "leeway"), maxTokenSize,
                claims(s, j + "roles-claim"), claims(s, j + "scopes-claim"), claims(s, j + "plan-claim"),
                claims(s, j + "required-claims"));
    }

    private static AuthConfig.Introspection introspection(Settings s, String p) {
        String uri = s.string(p + "uri");
        String clientId = s.string(p + "client-id");
        String secret = s.string(p + "client-secret");
        Duration timeout = s.positiveDuration(p + "timeout");
        Duration maxCache = s.positiveDuration(p + "max-cache");
        Duration negative = s.positiveDuration(p + "negative-cache");
        Duration retry = s.positiveDuration(p + "retry-interval");
        boolean all = s.bool(p + "all-tokens");
        if (uri == null) {
            if (clientId != null || secret != null || all) {
                s.problem(p + "uri", null, "the introspection endpoint when other " + p + "* keys are set");
            }
            return null;
        }
        URI u = s.uri(p + "uri", uri, List.of("http", "https"));
        if (u != null && u.getRawUserInfo() != null) {
            s.problem(p + "uri", uri, "no user info in the URI: the client credentials go in client-id and "
                    + "client-secret");
            u = null;
        }
        if (clientId == null || secret == null) {
            s.problem(clientId == null ? p + "client-id" : p + "client-secret", null,
                    "the gateway's client id and client secret at the introspection endpoint");
        }
        if (u == null || clientId == null || secret == null) {
            return null;
        }
        return new AuthConfig.Introspection(u, clientId, secret, timeout, maxCache, negative, retry, all);
    }

    private static List<String> claims(Settings s, String key) {
        List<String> out = s.listOrDefault(key);
        for (String c : out) {
            if (!CLAIM.matcher(c).matches()) {
                s.problem(key, c, "claim names or dotted paths (e.g. roles, realm_access.roles)");
            }
        }
        return out;
    }

    private static AuthConfig.StaticKey staticKey(Settings s, String p, String kid) {
        if (!NAME.matcher(kid).matches()) {
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
        return rsaOrEc(s, p, kid, alg, pem, file);
    }

    private static AuthConfig.StaticKey rsaOrEc(Settings s, String p, String kid, String alg, String pem, String file) {
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
}
