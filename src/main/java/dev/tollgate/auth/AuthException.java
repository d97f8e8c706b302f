package dev.tollgate.auth;

import java.time.Duration;

/**
 * A credential was refused. Carries only the reason, never the credential; no stack trace (it is a normal
 * outcome, thrown on every bad request). Immutable.
 */
public final class AuthException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a credential was refused; {@link #tag()} names it in metrics. */
    public enum Reason {
        MALFORMED("The token is malformed."),
        TOO_LARGE("The token is too large."),
        ALGORITHM("The token's algorithm is not the one of its key."),
        UNKNOWN_KEY("The token's key is unknown."),
        SIGNATURE("The token's signature is invalid."),
        EXPIRED("The token has expired."),
        NOT_YET_VALID("The token is not valid yet."),
        CLAIMS("The token's claims are not accepted."),
        REVOKED("The token has been revoked."),
        UNKNOWN_ISSUER("The token's issuer is not accepted here."),
        INACTIVE("The token is not active."),
        INTROSPECTION_UNAVAILABLE("The token cannot be checked at the moment."),
        UNKNOWN_API_KEY("The API key is not valid.");

        private final String description;

        Reason(String description) {
            this.description = description;
        }

        /** A fixed text for the client (RFC 6750 error_description); never derived from the credential. */
        public String description() {
            return description;
        }

        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    private final Reason reason;
    private final Duration retryAfter;

    public AuthException(Reason reason) {
        this(reason, null);
    }

    /** A refusal that may pass by itself: the client may try again after {@code retryAfter}. */
    public AuthException(Reason reason, Duration retryAfter) {
        super(reason.description(), null, false, false);
        this.reason = reason;
        this.retryAfter = retryAfter;
    }

    public Reason reason() {
        return reason;
    }

    /** When to try again ({@link Reason#INTROSPECTION_UNAVAILABLE}), or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
