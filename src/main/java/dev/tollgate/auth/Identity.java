package dev.tollgate.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/**
 * An authenticated caller: the {@link Principal} handed to later filters, plus what only the user-context
 * headers need.
 *
 * @param method {@code jwt}, {@code introspection} (an opaque or introspected token) or {@code api-key}
 * @param principal subject, API key id, roles, plan
 * @param scopes scopes granted
 * @param claims the token's verified claims (a JSON object, read only), or null for an API key
 */
public record Identity(String method, Principal principal, Set<String> scopes, JsonNode claims) {
    public static final String JWT = "jwt";
    public static final String INTROSPECTION = "introspection";
    public static final String API_KEY = "api-key";

    public Identity {
        scopes = Set.copyOf(scopes);
    }
}
