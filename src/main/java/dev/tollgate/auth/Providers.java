package dev.tollgate.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Picks the {@link Verification} of a token: a JWT's by the provider whose issuers hold its (not yet verified)
 * {@code iss} (introspected when that provider has no keys), else the one provider with keys and no issuers; a token that is no JWT by the provider
 * that introspects such tokens. A token whose issuer no provider claims, or whose provider the route does not
 * accept, is refused ({@link AuthException.Reason#UNKNOWN_ISSUER}) before any key or endpoint is used. With a
 * single provider that does not introspect, every token goes to it undecoded (its verification checks
 * {@code iss}). The configuration guarantees that no issuer has two providers. Immutable, thread-safe.
 */
final class Providers {
    /**
     * One provider at run time.
     *
     * @param name its name
     * @param issuers the issuers it claims; empty: any issuer
     * @param jwt how its JWTs are established (its keys, or its introspection for {@code all-tokens}), or null
     * @param opaque its introspection, for tokens that are no JWT, or null
     */
    record Provider(String name, Set<String> issuers, Verification jwt, Verification opaque) {
        Provider {
            issuers = Set.copyOf(issuers);
        }
    }

    private final List<Provider> all;
    private final Map<String, Provider> byIssuer = new HashMap<>();
    private final Provider anyIssuer;
    private final Verification only;

    Providers(List<Provider> providers) {
        this.all = List.copyOf(providers);
        Provider any = null;
        for (Provider p : all) {
            p.issuers().forEach(iss -> byIssuer.putIfAbsent(iss, p));
            if (p.jwt() != null && p.issuers().isEmpty() && any == null) {
                any = p;
            }
        }
        this.anyIssuer = any;
        this.only = all.size() == 1 && all.get(0).opaque() == null ? all.get(0).jwt() : null;
    }

    /**
     * @param accepted the providers the route accepts; empty: all
     */
    Verification select(String token, Set<String> accepted) throws AuthException {
        if (only != null) {
            return only;
        }
        JsonNode payload = jwtPayload(token);
        if (payload == null) {
            for (Provider p : all) {
                if (p.opaque() != null && (accepted.isEmpty() || accepted.contains(p.name()))) {
                    return p.opaque();
                }
            }
            throw new AuthException(AuthException.Reason.MALFORMED);
        }
        String iss = ClaimsReader.text(payload.get("iss"));
        Provider p = iss == null ? null : byIssuer.get(iss);
        if (p == null) {
            p = anyIssuer;
        }
        if (p == null || !accepted.isEmpty() && !accepted.contains(p.name())) {
            throw new AuthException(AuthException.Reason.UNKNOWN_ISSUER);
        }
        // a provider without keys introspects the JWTs of the issuers it lists
        return p.jwt() != null ? p.jwt() : p.opaque();
    }

    /**
     * The unverified payload of a token in JWS compact form (three base64url parts, the first a JSON object), or
     * null for a token in another form; MALFORMED for a JWS whose payload is not a JSON object.
     */
    static JsonNode jwtPayload(String token) throws AuthException {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (second < 0 || token.indexOf('.', second + 1) >= 0 || !isJsonObject(token.substring(0, first))) {
            return null;
        }
        try {
            String json = new String(Base64.getUrlDecoder().decode(token.substring(first + 1, second)),
                    StandardCharsets.UTF_8);
            return ClaimsReader.object(json);
        } catch (IllegalArgumentException e) {
            throw new AuthException(AuthException.Reason.MALFORMED);
        }
    }

    private static boolean isJsonObject(String part) {
        try {
            byte[] header = Base64.getUrlDecoder().decode(part);
            return ClaimsReader.object(new String(header, StandardCharsets.UTF_8)) != null;
        } catch (IllegalArgumentException | AuthException e) {
            return false;
        }
    }

    /** The current fingerprint of every verification, for evicting one token everywhere. */
    List<String> fingerprints() {
        List<String> out = new ArrayList<>();
        for (Provider p : all) {
            if (p.jwt() != null) {
                out.add(p.jwt().fingerprint());
            }
            if (p.opaque() != null && p.opaque() != p.jwt()) {
                out.add(p.opaque().fingerprint());
            }
        }
        return out;
    }
}
