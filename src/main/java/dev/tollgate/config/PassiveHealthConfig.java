package dev.tollgate.config;

import java.time.Duration;

/**
 * Passive health of a service's instances: an instance whose requests fail this many times in a row (refused,
 * unreachable, reset or timed out) is ejected, i.e. not chosen, for a time that doubles with each ejection in a
 * row, from {@code baseEjectionTime} up to {@code maxEjectionTime}.
 *
 * @param consecutiveFailures failures in a row that eject an instance
 * @param baseEjectionTime the first ejection's length
 * @param maxEjectionTime the longest ejection
 * @param maxEjectedPercent at most this share of the service's instances is ejected at once (rounded down)
 */
public record PassiveHealthConfig(int consecutiveFailures, Duration baseEjectionTime, Duration maxEjectionTime,
                                  int maxEjectedPercent) {
}
