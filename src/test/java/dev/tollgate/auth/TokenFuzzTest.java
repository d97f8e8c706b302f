package dev.tollgate.auth;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testsupport.FakeClock;
import dev.tollgate.testsupport.FuzzInputs;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes bearer-token authentication (size limit, caches, {@link TokenVerifier}, java-jwt, {@link ClaimsReader})
 * with any byte string. The first byte picks how the rest becomes a token: as it is (ISO-8859-1), or as
 * {@code header JSON \n payload JSON \n signature} encoded into a compact JWS with that signature, or signed
 * with the HS256 or HS512 test key, so that fuzzed claims get past the signature check. Properties: the answer
 * is a verified token or an {@link AuthException}, never another exception; the same token gets the same answer
 * again (through the caches) and from a second authenticator; and an accepted token carries a valid HMAC of one
 * configured secret for the algorithm its header names, and an {@code exp} that is not past.
 */
class TokenFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Map<String, String> SECRETS =
            Map.of("HS256", Fixtures.HS256, "HS384", Fixtures.HS384, "HS512", Fixtures.HS512);
    private static final long LEEWAY = 30;
    private static final List<String> LINES = lines();
    private static final AuthRuntime AUTH = Fixtures.authRuntime(new FakeClock(Fixtures.NOW), null, LINES);
    private static final AuthRuntime OTHER = Fixtures.authRuntime(new FakeClock(Fixtures.NOW), null, LINES);
    private static final List<String> DICTIONARY = List.of("\"alg\":", "\"HS256\"", "\"HS512\"", "\"none\"",
            "\"RS256\"", "\"kid\":", "\"hs256\"", "\"hs512\"", "\"crit\":", "\"exp\":", "\"nbf\":", "\"iat\":",
            "\"iss\":", "\"aud\":", "\"sub\":", "\"jti\":", "\"roles\":", "\"scope\":", "1893459600",
            "31556889864403200", "-1", "1e308", "null", "[]", "{}", "\"https://issuer.example\"", "\"orders\"",
            ".", "\n", "\\u0000");

    private static List<String> lines() {
        List<String> lines = new ArrayList<>(Fixtures.staticKeys());
        lines.add("gateway.auth.jwt.issuer = https://issuer.example");
        lines.add("gateway.auth.jwt.audience = orders, billing");
        lines.add("gateway.auth.jwt.leeway = " + LEEWAY + "s");
        return lines;
    }

    @FuzzTest
    @DictionaryEntries({"\"alg\":", "\"HS256\"", "\"kid\":", "\"hs256\"", "\"exp\":", "\"nbf\":", "\"iss\":",
        "\"aud\":", "\"sub\":", "\"roles\":", "\"scope\":", "\"crit\":", "1893459600", "31556889864403200",
        "\"https://issuer.example\"", "\"orders\""})
    void bearerToken(byte[] data) {
        check(data);
    }

    @Test
    void seedsAndTheirVariantsHoldTheProperties() {
        FuzzInputs.run(FuzzInputs.seeds(getClass(), "bearerToken"), DICTIONARY, 20261202L, 600,
                TokenFuzzTest::check);
    }

    static void check(byte[] data) {
        String token = token(data);
        String first = decision(AUTH, token);
        String again = decision(AUTH, token);
        String other = decision(OTHER, token);
        if (!first.equals(again) || !first.equals(other)) {
            throw new AssertionError("answers differ: " + first + " / " + again + " / " + other);
        }
        if (first.startsWith("verified")) {
            assertGenuine(token);
        }
    }

    /** The token the input stands for (see the class comment). */
    static String token(byte[] data) {
        if (data.length == 0) {
            return "";
        }
        String rest = new String(data, 1, data.length - 1, StandardCharsets.ISO_8859_1);
        int mode = data[0] & 3;
        if (mode == 0) {
            return rest;
        }
        String[] parts = rest.split("\n", 3);
        String signingInput = b64(parts[0]) + "." + b64(parts.length > 1 ? parts[1] : "");
        byte[] signature = switch (mode) {
            case 1 -> (parts.length > 2 ? parts[2] : "").getBytes(StandardCharsets.ISO_8859_1);
            case 2 -> hmac("HS256", signingInput);
            default -> hmac("HS512", signingInput);
        };
        return signingInput + "." + B64.encodeToString(signature);
    }

    private static String b64(String s) {
        return B64.encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] hmac(String alg, String signingInput) {
        try {
            String name = "HmacSHA" + alg.substring(2);
            Mac mac = Mac.getInstance(name);
            mac.init(new SecretKeySpec(SECRETS.get(alg).getBytes(StandardCharsets.UTF_8), name));
            return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String decision(AuthRuntime auth, String token) {
        try {
            return "verified " + auth.tokens().authenticate(token);
        } catch (AuthException e) {
            return "refused " + e.reason();
        }
    }

    /** Checked without java-jwt: the HMAC of the named algorithm's secret, and an exp not past. */
    private static void assertGenuine(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new AssertionError("accepted a token of " + parts.length + " parts");
        }
        try {
            JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
            JsonNode payload = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            String alg = header.path("alg").asText();
            byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
            if (!SECRETS.containsKey(alg)
                    || !MessageDigest.isEqual(hmac(alg, parts[0] + "." + parts[1]), signature)) {
                throw new AssertionError("accepted a token without a valid signature, alg " + alg);
            }
            JsonNode exp = payload.path("exp");
            if (!exp.canConvertToLong() || exp.asLong() + LEEWAY < Fixtures.NOW.getEpochSecond()) {
                throw new AssertionError("accepted a token whose exp is " + exp);
            }
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new AssertionError("accepted a token that does not decode: " + e, e);
        }
    }
}
