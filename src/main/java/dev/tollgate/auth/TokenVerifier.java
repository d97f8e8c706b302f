package dev.tollgate.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.tollgate.config.AuthConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Verifies a JWT's signature and time and audience claims with Auth0 java-jwt. The key is chosen by the
 * header's {@code kid} among configured keys and JWKS keys, and the algorithm is the key's: a token whose
 * {@code alg} differs (including {@code none}, or HS256 against an RSA key) is refused before any signature
 * check. Header fields that point elsewhere ({@code jku}, {@code x5u}, {@code jwk}, {@code x5c}) are never read;
 * a {@code kid} that looks like a path or URL is refused without a lookup or a fetch. Every failure is an
 * {@link AuthException}, never another exception. Its fingerprint covers the provider's name, the ids, algorithms
 * and thumbprints of its static keys and of the JWKS keys currently in use, its issuers, audiences, required
 * claims, leeway and the claim paths of roles, scopes and plan; it changes when a JWKS refresh changes the key set. Thread-safe.
 */
public final class TokenVerifier implements Verification {
    /** The fingerprint computed for one JWKS key set (identity of the map), recomputed when the set is replaced. */
    private record Stamp(Map<String, VerificationKey> jwksKeys, String fingerprint) {
    }

    private final String provider;
    private final AuthConfig.Jwt config;
    private final Map<String, VerificationKey> staticKeys;
    private final JwksKeySource jwks;
    private final ClaimsReader claims;
    private volatile Stamp stamp;

    TokenVerifier(String provider, AuthConfig.Jwt config, Map<String, VerificationKey> staticKeys,
                  JwksKeySource jwks, ClaimsReader claims) {
        this.provider = provider;
        this.config = config;
        this.staticKeys = Map.copyOf(staticKeys);
        this.jwks = jwks;
        this.claims = claims;
        this.stamp = stamp(jwks == null ? Map.of() : jwks.keys());
    }

    @Override
    public String fingerprint() {
        Stamp s = stamp;
        if (jwks != null && jwks.keys() != s.jwksKeys()) {
            s = stamp(jwks.keys());
            stamp = s;
        }
        return s.fingerprint();
    }

    private Stamp stamp(Map<String, VerificationKey> jwksKeys) {
        List<String> keys = new ArrayList<>();
        staticKeys.values().forEach(k -> keys.add("static:" + k.kid() + ":" + k.algorithm() + ":" + k.thumbprint()));
        jwksKeys.values().forEach(k -> keys.add("jwks:" + k.kid() + ":" + k.algorithm() + ":" + k.thumbprint()));
        String fp = new Fingerprint("jwt", provider).addAll("keys", keys).addAll("issuers", config.issuers())
                .addAll("audiences", config.audiences()).addAll("required-claims", config.requiredClaims())
                .add("leeway", config.leeway().toSeconds()).add("claims", claims.paths()).digest();
        return new Stamp(jwksKeys, fp);
    }

    @Override
    public Duration refusalTtl(Duration configured) {
        return configured;
    }

    @Override
    public String toCache(VerifiedToken token) {
        return token.claimsJson();
    }

    @Override
    public VerifiedToken fromCache(String value) throws AuthException {
        return claims.read(value, Identity.JWT);
    }

    /** The static keys of the configuration, with their verifiers. */
    static Map<String, VerificationKey> staticKeys(AuthConfig.Jwt config, JwtChecks checks) {
        Map<String, VerificationKey> out = new HashMap<>();
        for (AuthConfig.StaticKey k : config.keys()) {
            VerificationKey key = checks.key(k.kid(), k.algorithm(), k.publicKey(), k.secret());
            if (key == null) {
                throw new IllegalStateException("key " + k.kid() + " does not fit " + k.algorithm());
            }
            out.put(k.kid(), key);
        }
        return out;
    }

    @Override
    public VerifiedToken verify(String token) throws AuthException {
        DecodedJWT jwt;
        try {
            jwt = JWT.decode(token);
        } catch (JWTDecodeException | IllegalArgumentException e) {
            throw new AuthException(AuthException.Reason.MALFORMED);
        }
        if (!jwt.getHeaderClaim("crit").isMissing()) {
            // RFC 7515 section 4.1.11: no extension is understood here, so a critical one cannot be honoured
            throw new AuthException(AuthException.Reason.MALFORMED);
        }
        VerificationKey key = key(jwt.getKeyId());
        if (!key.algorithm().equals(jwt.getAlgorithm())) {
            throw new AuthException(AuthException.Reason.ALGORITHM);
        }
        try {
            key.verifier().verify(jwt);
        } catch (SignatureVerificationException e) {
            throw new AuthException(AuthException.Reason.SIGNATURE);
        } catch (AlgorithmMismatchException e) {
            throw new AuthException(AuthException.Reason.ALGORITHM);
        } catch (TokenExpiredException e) {
            throw new AuthException(AuthException.Reason.EXPIRED);
        } catch (IncorrectClaimException e) {
            throw new AuthException("nbf".equals(e.getClaimName()) ? AuthException.Reason.NOT_YET_VALID
                    : AuthException.Reason.CLAIMS);
        } catch (JWTDecodeException e) {
            throw new AuthException(AuthException.Reason.MALFORMED);
        } catch (RuntimeException e) {
            // MissingClaimException (no exp) and any other refusal of the claims
            throw new AuthException(AuthException.Reason.CLAIMS);
        }
        String payload;
        try {
            payload = new String(Base64.getUrlDecoder().decode(jwt.getPayload()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new AuthException(AuthException.Reason.MALFORMED);
        }
        return claims.read(payload, Identity.JWT);
    }

    private VerificationKey key(String kid) throws AuthException {
        if (kid != null && !isPlainKid(kid)) {
            throw new AuthException(AuthException.Reason.UNKNOWN_KEY);
        }
        VerificationKey key = null;
        if (kid == null) {
            if (staticKeys.size() == 1 && jwks == null) {
                key = staticKeys.values().iterator().next();
            } else if (staticKeys.isEmpty() && jwks != null) {
                key = jwks.find(null);
            }
        } else {
            key = staticKeys.get(kid);
            if (key == null && jwks != null) {
                key = jwks.find(kid);
            }
        }
        if (key == null) {
            throw new AuthException(AuthException.Reason.UNKNOWN_KEY);
        }
        return key;
    }

    /**
     * A kid is an opaque name, at most 256 printable ASCII characters; one that looks like a URL or a path
     * ({@code ://}, a leading {@code /}, {@code ..}, {@code \}) is refused so it can never trigger a fetch.
     * Base64 kids with {@code /} and {@code +} inside (as some providers issue) stay acceptable.
     */
    static boolean isPlainKid(String kid) {
        if (kid.isEmpty() || kid.length() > 256 || kid.startsWith("/") || kid.contains("://") || kid.contains("..")
                || kid.indexOf('\\') >= 0) {
            return false;
        }
        for (int i = 0; i < kid.length(); i++) {
            char c = kid.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
