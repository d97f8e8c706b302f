package dev.tollgate.auth;

import com.auth0.jwt.JWTVerifier;

/**
 * A key that verifies exactly one algorithm.
 *
 * @param kid its key id, or null for a JWKS key without one
 * @param algorithm the one algorithm it verifies (e.g. {@code RS256})
 * @param verifier the java-jwt verifier built for it
 * @param thumbprint its JWK thumbprint (RFC 7638), part of its provider's fingerprint
 */
record VerificationKey(String kid, String algorithm, JWTVerifier verifier, String thumbprint) {
}
