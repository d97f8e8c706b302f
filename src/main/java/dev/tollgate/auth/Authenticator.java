package dev.tollgate.auth;

import dev.tollgate.config.AuthConfig;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A route's authentication decision, from the request's credential header values to an {@link Decision}:
 * 400 for an ambiguous credential, 401 {@code invalid_token} (RFC 6750) for a missing or refused one, 403
 * {@code insufficient_scope} when roles or scopes fall short, 503 when the token's provider must introspect it
 * and its endpoint is down.
 * <p>
 * Which credential counts: on {@code jwt} routes the {@code Authorization} header; on {@code api-key} routes the
 * API-key header ({@code Authorization} is not read there); on {@code jwt-or-api-key} routes a bearer token when
 * {@code Authorization} carries one, else the API key, so a {@code Basic} (or other non-bearer)
 * {@code Authorization} meant for the upstream does not hide a valid API key. Ambiguity is 400 only where it
 * matters: two {@code Authorization} headers on a route that reads {@code Authorization} (any route accepting
 * JWT: which one would another parser pick?), two API-key headers when the API key is the credential
 * used. Thread-safe.
 */
public final class Authenticator {
    private static final String REALM = "realm=\"tollgate\"";

    private final BearerTokens tokens;
    private final ApiKeys apiKeys;
    private final String apiKeyHeader;
    private final UserContext userContext;

    public Authenticator(BearerTokens tokens, ApiKeys apiKeys, String apiKeyHeader, UserContext userContext) {
        this.tokens = tokens;
        this.apiKeys = apiKeys;
        this.apiKeyHeader = apiKeyHeader;
        this.userContext = userContext;
    }

    /** The user-context headers sent upstream for the caller (and removed from every client request). */
    public UserContext userContext() {
        return userContext;
    }

    /** The token layer: providers and token cache. */
    BearerTokens tokens() {
        return tokens;
    }

    /** The request header that carries an API key under this authenticator's configuration. */
    public String apiKeyHeader() {
        return apiKeyHeader;
    }

    /**
     * The outcome of one request.
     *
     * @param status 200 (go on), 400, 401, 403, or 503 when the token's provider cannot be asked
     * @param identity the caller when 200, else null
     * @param challenge the {@code WWW-Authenticate} value, or null
     * @param detail a fixed description for the problem answer
     * @param retryAfter with 503: when to try again; else null
     */
    public record Decision(int status, Identity identity, String challenge, String detail, Duration retryAfter) {
        public Decision(int status, Identity identity, String challenge, String detail) {
            this(status, identity, challenge, detail, null);
        }

        public boolean allowed() {
            return status == 200;
        }
    }

    /**
     * @param authorization every {@code Authorization} header value of the request
     * @param apiKey every value of the API-key header
     */
    public Decision authenticate(AuthConfig.RouteAuth route, List<String> authorization, List<String> apiKey) {
        AuthConfig.Policy policy = route.policy();
        if (policy.acceptsJwt() && authorization.size() > 1) {
            return ambiguous(policy, "Authorization");
        }
        String token = policy.acceptsJwt() && !authorization.isEmpty() ? bearer(authorization.get(0)) : null;
        boolean useApiKey = token == null && policy.acceptsApiKey() && !apiKey.isEmpty();
        if (useApiKey && apiKey.size() > 1) {
            return ambiguous(policy, apiKeyHeader);
        }
        Identity identity;
        try {
            if (token != null) {
                identity = identity(tokens.authenticate(token, route.providers()));
            } else if (useApiKey) {
                identity = apiKey(apiKey.get(0));
            } else {
                return missing(policy);
            }
        } catch (AuthException e) {
            String description = e.reason().description();
            if (e.reason() == AuthException.Reason.INTROSPECTION_UNAVAILABLE) {
                // the credential may be good: not a 401, which would tell the client to drop it
                return new Decision(503, null, null, description, e.retryAfter());
            }
            return new Decision(401, null, challenge(policy, "invalid_token", description, null), description);
        }
        Set<String> roles = identity.principal().roles();
        boolean enoughRoles = route.roles().isEmpty() || route.roles().stream().anyMatch(roles::contains);
        if (!enoughRoles || !identity.scopes().containsAll(route.scopes())) {
            String scope = route.scopes().isEmpty() ? null : String.join(" ", new TreeSet<>(route.scopes()));
            return new Decision(403, null, challenge(policy, "insufficient_scope",
                    "The credential lacks a required role or scope.", scope),
                    "The credential lacks a role or scope this route requires.");
        }
        return new Decision(200, identity, null, null);
    }

    private Decision ambiguous(AuthConfig.Policy policy, String header) {
        return new Decision(400, null, challenge(policy, "invalid_request", "Send one credential.", null),
                "The request carries more than one " + header + " header.");
    }

    private Identity apiKey(String presented) throws AuthException {
        AuthConfig.ApiKey key;
        try {
            key = apiKeys.find(presented);
        } catch (AuthException e) {
            tokens.stats().failed(e.reason()); // tollgate.auth.failures{reason=unknown-api-key}
            throw e;
        }
        return new Identity(Identity.API_KEY, new Principal(key.owner(), key.id(), key.roles(), key.plan()),
                key.scopes(), null);
    }

    private Decision missing(AuthConfig.Policy policy) {
        // Every 401 carries error="invalid_token", the missing credential too, so that clients
        // treat all 401s alike. This deliberately departs from RFC 6750 section 3.1, which says a request
        // without authentication information SHOULD NOT get an error code.
        String description = policy == AuthConfig.Policy.JWT ? "No bearer token was sent."
                : policy == AuthConfig.Policy.API_KEY ? "No API key was sent."
                : "No bearer token or API key was sent.";
        return new Decision(401, null, challenge(policy, "invalid_token", description, null),
                "This route requires " + (policy == AuthConfig.Policy.JWT ? "a bearer token."
                        : policy == AuthConfig.Policy.API_KEY ? "an API key in " + apiKeyHeader + "."
                        : "a bearer token or an API key in " + apiKeyHeader + "."));
    }

    private static Identity identity(VerifiedToken t) {
        // roles (or scopes, when a token carries no roles claim) feed rate limits by role
        Set<String> roles = t.roles().isEmpty() ? t.scopes() : t.roles();
        return new Identity(t.method(), new Principal(t.subject(), null, roles, t.plan()), t.scopes(),
                t.claims());
    }

    /** The token of {@code Bearer <token>} (scheme case-insensitive, RFC 9110 section 11.1), or null. */
    static String bearer(String value) {
        String v = value.trim();
        if (v.length() < 8 || !v.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return null;
        }
        String token = v.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    private String challenge(AuthConfig.Policy policy, String error, String description, String scope) {
        StringBuilder params = new StringBuilder(REALM);
        if (error != null) {
            params.append(", error=\"").append(error).append('"');
        }
        if (description != null) {
            params.append(", error_description=\"").append(description).append('"');
        }
        if (scope != null) {
            params.append(", scope=\"").append(scope).append('"');
        }
        String bearer = "Bearer " + params;
        String key = "ApiKey " + params + ", header=\"" + apiKeyHeader + "\"";
        switch (policy) {
            case JWT: return bearer;
            case API_KEY: return key;
            default: return bearer + ", " + key;
        }
    }
}
