package dev.tollgate.testsupport;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;

/**
 * Keys generated for tests, tokens signed with them (Auth0 java-jwt), hand-made hostile tokens, and the JWK and
 * PEM forms of the public keys. Stateless.
 */
public final class Jwts {
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private Jwts() {
    }

    public static KeyPair rsa() {
        return generate("RSA", null);
    }

    /** An EC key pair on P-256, P-384 or P-521 ({@code bits} 256, 384, 521). */
    public static KeyPair ec(int bits) {
        return generate("EC", new ECGenParameterSpec(bits == 521 ? "secp521r1" : "secp" + bits + "r1"));
    }

    private static KeyPair generate(String type, ECGenParameterSpec spec) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(type);
            if (spec == null) {
                g.initialize(2048);
            } else {
                g.initialize(spec);
            }
            return g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Algorithm rs256(KeyPair k) {
        return Algorithm.RSA256((RSAPublicKey) k.getPublic(), (RSAPrivateKey) k.getPrivate());
    }

    /** A builder with sub, exp = now + 1h, iat = now and jti set. */
    public static JWTCreator.Builder claims(String kid, Instant now, String subject) {
        return JWT.create().withKeyId(kid).withSubject(subject).withIssuedAt(now).withExpiresAt(now.plusSeconds(3600))
                .withJWTId("jti-" + subject + "-" + now.toEpochMilli());
    }

    /** A token from raw header and payload JSON and a raw signature (base64url-encoded here). */
    public static String raw(String headerJson, String payloadJson, byte[] signature) {
        return URL.encodeToString(headerJson.getBytes(StandardCharsets.UTF_8)) + "."
                + URL.encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8)) + "." + URL.encodeToString(signature);
    }

    public static String b64url(byte[] bytes) {
        return URL.encodeToString(bytes);
    }

    /** The X.509 SubjectPublicKeyInfo PEM of a public key. */
    public static String pem(java.security.PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----";
    }

    /** The public JWK of an RSA or EC key; {@code alg} may be null. */
    public static String jwk(String kid, java.security.PublicKey key, String alg) {
        String a = alg == null ? "" : ",\"alg\":\"" + alg + "\"";
        if (key instanceof RSAPublicKey rsa) {
            return "{\"kty\":\"RSA\",\"use\":\"sig\",\"kid\":\"" + kid + "\"" + a + ",\"n\":\"" + unsigned(rsa.getModulus())
                    + "\",\"e\":\"" + unsigned(rsa.getPublicExponent()) + "\"}";
        }
        ECPublicKey ec = (ECPublicKey) key;
        int bits = ec.getParams().getCurve().getField().getFieldSize();
        return "{\"kty\":\"EC\",\"use\":\"sig\",\"kid\":\"" + kid + "\"" + a + ",\"crv\":\"P-" + bits + "\",\"x\":\""
                + unsigned(ec.getW().getAffineX()) + "\",\"y\":\"" + unsigned(ec.getW().getAffineY()) + "\"}";
    }

    public static String jwks(String... jwks) {
        return "{\"keys\":[" + String.join(",", jwks) + "]}";
    }

    private static String unsigned(BigInteger n) {
        byte[] b = n.toByteArray();
        if (b[0] == 0 && b.length > 1) {
            b = java.util.Arrays.copyOfRange(b, 1, b.length);
        }
        return URL.encodeToString(b);
    }

    public static Algorithm es(KeyPair k, int bits) {
        ECPublicKey pub = (ECPublicKey) k.getPublic();
        ECPrivateKey priv = (ECPrivateKey) k.getPrivate();
        return bits == 256 ? Algorithm.ECDSA256(pub, priv) : bits == 384 ? Algorithm.ECDSA384(pub, priv)
                : Algorithm.ECDSA512(pub, priv);
    }
}
