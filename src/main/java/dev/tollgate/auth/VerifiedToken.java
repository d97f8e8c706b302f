package dev.tollgate.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Set;

/**
 * What a verified bearer token established, as cached in level 1 and (as {@link #claimsJson()}) in level 2. Holds the
 * claims, all of them, never the token: a level-2 hit is read back into the same value as a fresh verification,
 * so a route's claim headers see the same claims either way.
 *
 * @param subject the {@code sub} claim, or null
 * @param jti the {@code jti} claim, or null
 * @param expiresAt the {@code exp} claim
 * @param roles roles read from the configured roles claims
 * @param scopes scopes read from the configured scopes claims
 * @param plan the plan read from the configured plan claims, or null
 * @param method how it was established: {@link Identity#JWT} (a verified signature) or
 *               {@link Identity#INTROSPECTION} (an active answer of the provider's introspection endpoint)
 * @param claimsJson the verified claims (the JWT payload) as JSON
 * @param claims the same claims, parsed once (a JSON object; read, never changed)
 */
public record VerifiedToken(String subject, String jti, Instant expiresAt, Set<String> roles, Set<String> scopes,
                            String plan, String method, String claimsJson, JsonNode claims) {
    public VerifiedToken {
        roles = Set.copyOf(roles);
        scopes = Set.copyOf(scopes);
    }

    public boolean isLiveAt(Instant now) {
        return expiresAt.isAfter(now);
    }
}
