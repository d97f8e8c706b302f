package dev.tollgate.config;

/**
 * Request hygiene limits enforced before routing.
 *
 * @param maxUriLength longest request target accepted (414 beyond)
 * @param maxHeaderCount most request header fields accepted (431 beyond)
 * @param rejectUnderscoreHeaders answer 400 to a header name containing {@code _}
 * @param maxBodySize default request body limit of a route (413 beyond)
 */
public record LimitsConfig(int maxUriLength, int maxHeaderCount, boolean rejectUnderscoreHeaders, long maxBodySize) {
}
