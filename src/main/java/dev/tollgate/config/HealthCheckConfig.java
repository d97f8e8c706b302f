package dev.tollgate.config;

import java.time.Duration;
import java.util.List;

/**
 * Active health checks of a service's instances: an HTTP GET of {@code path} on each instance every
 * {@code interval}, answered within {@code timeout} with one of the expected statuses to pass. An instance that
 * fails {@code unhealthyThreshold} checks in a row is not used until it passes {@code healthyThreshold} in a row.
 *
 * @param path the path (and optional query) requested on each instance, after the instance's base path
 * @param interval time between two checks of an instance (a little jitter is added)
 * @param timeout a check that has no complete answer within this time fails; at most the interval
 * @param healthyThreshold passed checks in a row that bring an unhealthy instance back
 * @param unhealthyThreshold failed checks in a row that mark a healthy instance unhealthy
 * @param expectedStatuses the statuses that pass
 */
public record HealthCheckConfig(String path, Duration interval, Duration timeout, int healthyThreshold,
                                int unhealthyThreshold, List<StatusRange> expectedStatuses) {
    /**
     * An inclusive range of HTTP statuses.
     *
     * @param low the first status of the range
     * @param high the last status of the range, at least {@code low}
     */
    public record StatusRange(int low, int high) {
        @Override
        public String toString() {
            return low == high ? Integer.toString(low) : low + "-" + high;
        }
    }

    public HealthCheckConfig {
        expectedStatuses = List.copyOf(expectedStatuses);
    }

    /** Whether a check answered with {@code status} passes. */
    public boolean expects(int status) {
        for (StatusRange r : expectedStatuses) {
            if (status >= r.low() && status <= r.high()) {
                return true;
            }
        }
        return false;
    }
}
