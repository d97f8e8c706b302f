package dev.tollgate.auth;

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

    public AuthException(Reason reason) {
        super(reason.description(), null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
