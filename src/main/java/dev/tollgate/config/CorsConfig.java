package dev.tollgate.config;

import java.time.Duration;
import java.util.List;

/**
 * A route's CORS policy (the CORS protocol of the Fetch standard), configured under
 * {@code gateway.routes.<name>.cors.}; a route without {@code cors.allowed-origins} has none.
 *
 * @param allowedOrigins serialized origins in lower case ({@code https://app.example.com}), patterns with a
 *                       leading {@code *.} label ({@code https://*.example.com}), or the single entry {@code *}
 * @param allowedMethods upper-case methods a cross-origin request may use besides GET, HEAD and POST (which the
 *                       Fetch standard always allows), or the single entry {@code *}; may be empty
 * @param allowedHeaders lower-case request header names a cross-origin request may send, or the single entry
 *                       {@code *}; may be empty
 * @param exposedHeaders response header names scripts may read, as written, or the single entry {@code *}
 * @param allowCredentials whether requests with cookies or HTTP authentication may read the response
 * @param maxAge how long a browser may cache a preflight's answer, whole seconds; null for the browser's default
 */
public record CorsConfig(List<String> allowedOrigins, List<String> allowedMethods, List<String> allowedHeaders,
                         List<String> exposedHeaders, boolean allowCredentials, Duration maxAge) {
    /** The entry that stands for every origin, method or header name. */
    public static final String ANY = "*";

    public CorsConfig {
        allowedOrigins = List.copyOf(allowedOrigins);
        allowedMethods = List.copyOf(allowedMethods);
        allowedHeaders = List.copyOf(allowedHeaders);
        exposedHeaders = List.copyOf(exposedHeaders);
    }
}
