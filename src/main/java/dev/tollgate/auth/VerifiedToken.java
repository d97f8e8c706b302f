package dev.tollgate.auth;

import java.time.Instant;
import java.util.Set;

/**
 * What a verified JWT established, as cached in level 1 and (as {@link #claimsJson()}) in level 2. Holds the
 * claims, never the token.
 *
 * @param subject the {@code sub} claim, or null
 * @param jti the {@code jti} claim, or null
 * @param expiresAt the {@code exp} claim
 * @param roles roles read from the configured roles claims
 * @param scopes scopes read from the configured scopes claims
 * @param plan the plan read from the configured plan claims, or null
 * @param claimsJson the verified claims (the JWT payload) as JSON
 */
public record VerifiedToken(String subject, String jti, Instant expiresAt, Set<String> roles, Set<String> scopes,
                            String plan, String claimsJson) {
    public VerifiedToken {
        roles = Set.copyOf(roles);
        scopes = Set.copyOf(scopes);
    }

    public boolean isLiveAt(Instant now) {
        return expiresAt.isAfter(now);
    }
}
