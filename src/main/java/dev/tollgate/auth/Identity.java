package dev.tollgate.auth;

import java.util.Set;

/**
 * An authenticated caller: the {@link Principal} handed to later filters, plus what only the user-context
 * headers need.
 *
 * @param method {@code jwt} or {@code api-key}
 * @param principal subject, API key id, roles, plan
 * @param scopes scopes granted
 */
public record Identity(String method, Principal principal, Set<String> scopes) {
    public static final String JWT = "jwt";
    public static final String API_KEY = "api-key";

    public Identity {
        scopes = Set.copyOf(scopes);
    }
}
