package dev.tollgate.proxy;

import java.io.IOException;

/**
 * How the client's request body can fail on its way upstream; these failures are the client's, so they are never
 * blamed on the upstream (no breaker failure, no passive-health strike) and map to 413, 400 or 408.
 */
public final class ClientBody {
    private ClientBody() {
    }

    /** The body was larger than the route allows. */
    public static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        public TooLargeException(long limit) {
            super("request body larger than " + limit + " bytes", null);
        }
    }

    /** Reading the client's body failed: the client went away, timed out or sent a malformed body. */
    public static final class ReadException extends IOException {
        private static final long serialVersionUID = 1L;

        public ReadException(Throwable cause) {
            super("reading the request body failed", cause);
        }
    }
}
