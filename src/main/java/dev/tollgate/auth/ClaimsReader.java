package dev.tollgate.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns verified claims JSON into a {@link VerifiedToken}, reading roles, scopes and plan from configured claim
 * paths ({@code roles}, {@code scope}, {@code realm_access.roles}). A claim may be a JSON array of strings or a
 * space-separated string (as {@code scope} and {@code scp} are, RFC 8693 section 4.2). The same reader serves
 * freshly verified tokens and level-2 entries, so both give the same principal. Immutable, thread-safe.
 */
public final class ClaimsReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String[]> roles;
    private final List<String[]> scopes;
    private final List<String[]> plan;
    private final String paths;

    public ClaimsReader(List<String> rolesClaims, List<String> scopesClaims, List<String> planClaims) {
        this.roles = paths(rolesClaims);
        this.scopes = paths(scopesClaims);
        this.plan = paths(planClaims);
        this.paths = "roles=" + String.join(",", rolesClaims) + " scopes=" + String.join(",", scopesClaims)
                + " plan=" + String.join(",", planClaims);
    }

    /**
     * The claim paths read, in order (the first present wins): part of a provider's fingerprint, since a cached
     * principal's roles, scopes and plan were read with them.
     */
    String paths() {
        return paths;
    }

    private static List<String[]> paths(List<String> claims) {
        return claims.stream().map(c -> c.split("\\.")).toList();
    }

    /**
     * @throws AuthException MALFORMED when the JSON is not an object with a numeric {@code exp}
     */
    public VerifiedToken read(String claimsJson, String method) throws AuthException {
        JsonNode root = object(claimsJson);
        if (!root.path("exp").isNumber()) {
            throw new AuthException(AuthException.Reason.MALFORMED);
        }
        return read(root, claimsJson, Instant.ofEpochSecond(root.get("exp").asLong()), method);
    }

    /**
     * The claims of a parsed object, trusted until {@code expiresAt}.
     *
     * @param method how the token was established: {@link Identity#JWT} or {@link Identity#INTROSPECTION}
     */
    VerifiedToken read(JsonNode root, String claimsJson, Instant expiresAt, String method) {
        JsonNode planNode = first(root, plan);
        return new VerifiedToken(text(root.get("sub")), text(root.get("jti")), expiresAt, values(first(root, roles)),
                values(first(root, scopes)), planNode == null ? null : text(planNode), method, claimsJson, root);
    }

    /** The JSON object, or MALFORMED. */
    static JsonNode object(String json) throws AuthException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AuthException(AuthException.Reason.MALFORMED);
        }
        if (root == null || !root.isObject()) {
            throw new AuthException(AuthException.Reason.MALFORMED);
        }
        return root;
    }

    private static JsonNode first(JsonNode root, List<String[]> paths) {
        for (String[] path : paths) {
            JsonNode n = root;
            for (String step : path) {
                n = n == null ? null : n.get(step);
            }
            if (n != null && !n.isNull()) {
                return n;
            }
        }
        return null;
    }

    static String text(JsonNode n) {
        return n == null || n.isNull() || n.isContainerNode() ? null : n.asText();
    }

    static Set<String> values(JsonNode n) {
        Set<String> out = new LinkedHashSet<>();
        if (n == null) {
            return out;
        }
        if (n.isArray()) {
            n.forEach(v -> {
                if (v.isValueNode() && !v.asText().isEmpty()) {
                    out.add(v.asText());
                }
            });
        } else if (n.isValueNode()) {
            for (String v : n.asText().split(" ")) {
                if (!v.isEmpty()) {
                    out.add(v);
                }
            }
        }
        return out;
    }
}
