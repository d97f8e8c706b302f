package dev.tollgate.auth;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

/**
 * JWK thumbprints (RFC 7638): the base64url SHA-256 of a key's required JWK members in lexicographic order,
 * without white space. An HMAC key's is that of its {@code oct} JWK ({@code k}); a SHA-256 of a secret of at
 * least 32 bytes reveals nothing of it. Stateless.
 */
final class Thumbprints {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private Thumbprints() {
    }

    /** The thumbprint of an RSA or EC public key, or of an HMAC secret (publicKey null). */
    static String of(PublicKey publicKey, byte[] secret) {
        String json;
        if (publicKey instanceof RSAPublicKey rsa) {
            json = "{\"e\":\"" + b64(rsa.getPublicExponent(), 0) + "\",\"kty\":\"RSA\",\"n\":\""
                    + b64(rsa.getModulus(), 0) + "\"}";
        } else if (publicKey instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            int size = (bits + 7) / 8;
            String crv = bits == 256 ? "P-256" : bits == 384 ? "P-384" : "P-521";
            json = "{\"crv\":\"" + crv + "\",\"kty\":\"EC\",\"x\":\"" + b64(ec.getW().getAffineX(), size)
                    + "\",\"y\":\"" + b64(ec.getW().getAffineY(), size) + "\"}";
        } else if (secret != null) {
            json = "{\"k\":\"" + B64.encodeToString(secret) + "\",\"kty\":\"oct\"}";
        } else {
            throw new IllegalArgumentException("neither an RSA or EC public key nor a secret");
        }
        return B64.encodeToString(sha256(json.getBytes(StandardCharsets.UTF_8)));
    }

    /** The unsigned big-endian bytes (RFC 7518 section 6.2.1.2: EC coordinates at the full field size). */
    private static String b64(BigInteger n, int size) {
        byte[] bytes = n.toByteArray();
        int start = bytes.length > 1 && bytes[0] == 0 ? 1 : 0;
        int len = bytes.length - start;
        byte[] out = new byte[Math.max(len, size)];
        System.arraycopy(bytes, start, out, out.length - len, len);
        return B64.encodeToString(out);
    }

    static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
