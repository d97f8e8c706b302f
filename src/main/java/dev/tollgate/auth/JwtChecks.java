package dev.tollgate.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import dev.tollgate.config.AuthConfig;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;

/**
 * Builds the java-jwt verifier of one key: the key's one algorithm (never the token's choice), {@code exp}
 * and the provider's required claims present, {@code nbf} and {@code iat} checked with the leeway, and
 * {@code iss}/{@code aud} when configured.
 * Immutable, thread-safe.
 */
final class JwtChecks {
    private final AuthConfig.Jwt config;
    private final Clock clock;

    AuthConfig.Jwt config() {
        return config;
    }

    JwtChecks(AuthConfig.Jwt config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /** The key, or null when the algorithm does not fit the key type. */
    VerificationKey key(String kid, String algorithm, PublicKey publicKey, byte[] secret) {
        Algorithm alg = algorithm(algorithm, publicKey, secret);
        if (alg == null) {
            return null;
        }
        JWTVerifier.BaseVerification v = (JWTVerifier.BaseVerification) JWT.require(alg);
        v.withClaimPresence("exp");
        for (String claim : config.requiredClaims()) {
            v.withClaimPresence(claim);
        }
        v.acceptLeeway(config.leeway().toSeconds());
        if (!config.issuers().isEmpty()) {
            v.withIssuer(config.issuers().toArray(new String[0]));
        }
        if (!config.audiences().isEmpty()) {
            v.withAnyOfAudience(config.audiences().toArray(new String[0]));
        }
        return new VerificationKey(kid, algorithm, v.build(clock), Thumbprints.of(publicKey, secret));
    }

    private static Algorithm algorithm(String name, PublicKey key, byte[] secret) {
        if (name.startsWith("HS")) {
            if (secret == null) {
                return null;
            }
            return switch (name) {
                case "HS256" -> Algorithm.HMAC256(secret);
                case "HS384" -> Algorithm.HMAC384(secret);
                case "HS512" -> Algorithm.HMAC512(secret);
                default -> null;
            };
        }
        if (key instanceof RSAPublicKey rsa) {
            return switch (name) {
                case "RS256" -> Algorithm.RSA256(rsa, null);
                case "RS384" -> Algorithm.RSA384(rsa, null);
                case "RS512" -> Algorithm.RSA512(rsa, null);
                default -> null;
            };
        }
        if (key instanceof ECPublicKey ec) {
            return switch (name) {
                case "ES256" -> Algorithm.ECDSA256(ec, null);
                case "ES384" -> Algorithm.ECDSA384(ec, null);
                case "ES512" -> Algorithm.ECDSA512(ec, null);
                default -> null;
            };
        }
        return null;
    }
}
