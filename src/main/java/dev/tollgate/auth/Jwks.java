package dev.tollgate.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses a JWK Set (RFC 7517) into verification keys. Only signature keys of type RSA (2048 bits or more) and
 * EC (P-256, P-384, P-521) are taken; symmetric ({@code oct}) keys, encryption keys and keys whose {@code alg}
 * does not fit their type are skipped. A key without {@code alg} verifies RS256 (RSA) or the ES algorithm of
 * its curve. Stateless.
 */
final class Jwks {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Jwks() {
    }

    /**
     * @return keys by kid ({@code ""} for a key without kid)
     * @throws IOException when the document is not a JWK Set
     */
    static Map<String, VerificationKey> parse(byte[] document, JwtChecks checks) throws IOException {
        JsonNode keys = JSON.readTree(document).path("keys");
        if (!keys.isArray()) {
            throw new IOException("not a JWK Set: no \"keys\" array");
        }
        Map<String, VerificationKey> out = new LinkedHashMap<>();
        for (JsonNode jwk : keys) {
            if (jwk.hasNonNull("use") && !"sig".equals(jwk.get("use").asText())) {
                continue;
            }
            String kid = jwk.path("kid").asText("");
            try {
                VerificationKey k = key(jwk, kid.isEmpty() ? null : kid, checks);
                if (k != null) {
                    out.putIfAbsent(kid, k);
                }
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // a malformed key is skipped; the others stay usable
            }
        }
        return out;
    }

    private static VerificationKey key(JsonNode jwk, String kid, JwtChecks checks) throws GeneralSecurityException {
        String kty = jwk.path("kty").asText();
        String alg = jwk.path("alg").asText(null);
        if ("RSA".equals(kty)) {
            PublicKey key = KeyFactory.getInstance("RSA").generatePublic(
                    new RSAPublicKeySpec(big(jwk, "n"), big(jwk, "e")));
            if (((RSAPublicKey) key).getModulus().bitLength() < 2048) {
                return null;
            }
            String a = alg == null ? "RS256" : alg;
            return a.matches("RS(256|384|512)") ? checks.key(kid, a, key, null) : null;
        }
        if ("EC".equals(kty)) {
            String crv = jwk.path("crv").asText();
            String curveAlg;
            String curve;
            switch (crv) {
                case "P-256": curveAlg = "ES256"; curve = "secp256r1"; break;
                case "P-384": curveAlg = "ES384"; curve = "secp384r1"; break;
                case "P-521": curveAlg = "ES512"; curve = "secp521r1"; break;
                default: return null;
            }
            if (alg != null && !alg.equals(curveAlg)) {
                return null;
            }
            AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec(curve));
            ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
            PublicKey key = KeyFactory.getInstance("EC").generatePublic(
                    new ECPublicKeySpec(new ECPoint(big(jwk, "x"), big(jwk, "y")), spec));
            return checks.key(kid, curveAlg, key, null);
        }
        return null;
    }

    private static BigInteger big(JsonNode jwk, String field) {
        String v = jwk.path(field).asText("");
        if (v.isEmpty()) {
            throw new IllegalArgumentException("missing " + field);
        }
        return new BigInteger(1, Base64.getUrlDecoder().decode(v));
    }
}
