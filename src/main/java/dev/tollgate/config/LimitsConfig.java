package dev.tollgate.config;

import java.time.Duration;

/**
 * Request hygiene limits enforced before routing, and the request body's minimum data rate.
 *
 * @param maxUriLength longest request target accepted (414 beyond)
 * @param maxHeaderCount most request header fields accepted (431 beyond)
 * @param rejectUnderscoreHeaders answer 400 to a header name containing {@code _}
 * @param maxBodySize default request body limit of a route (413 beyond)
 * @param minBodyRate bytes per second a request body must average while the gateway reads it (408 below);
 *                    0: no minimum
 * @param minBodyRateGrace reading time not counted against the rate
 */
public record LimitsConfig(int maxUriLength, int maxHeaderCount, boolean rejectUnderscoreHeaders, long maxBodySize,
                           long minBodyRate, Duration minBodyRateGrace) {
}
