package dev.tollgate.auth;

import java.util.Set;

/**
 * Who made a request, as established by authentication and handed to every later decision (rate limits,
 * user-context headers, the access log). Never holds the token or the API key itself.
 *
 * @param subject the JWT {@code sub}, or the API key's configured owner
 * @param apiKeyId the configured name of the API key used, or null for a JWT
 * @param roles roles (or scopes) granted, possibly empty
 * @param plan the plan or tier (e.g. {@code gold}), or null when none is known
 */
public record Principal(String subject, String apiKeyId, Set<String> roles, String plan) {
    public Principal {
        roles = Set.copyOf(roles);
    }
}
