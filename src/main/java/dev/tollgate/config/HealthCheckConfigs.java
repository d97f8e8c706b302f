package dev.tollgate.config;

import dev.tollgate.config.HealthCheckConfig.StatusRange;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses a service's {@code gateway.services.<name>.health-check.*} settings. Stateless. */
final class HealthCheckConfigs {
    private static final Pattern STATUSES = Pattern.compile("([1-5][0-9][0-9])(?:-([1-5][0-9][0-9]))?");
    private static final Pattern PATH = Pattern.compile("/[\\x21-\\x7e]*");
    private static final String EXPECTED = "statuses or ranges from 100 to 599, comma-separated (e.g. 200-399 or 200, 204)";

    private HealthCheckConfigs() {
    }

    /**
     * The health check under {@code prefix} ({@code gateway.services.<name>.health-check.}), or null when its
     * {@code path} is not set (then no other key of the section may be set).
     */
    static HealthCheckConfig healthCheck(Settings s, String prefix) {
        String path = s.string(prefix + "path");
        if (path == null) {
            s.under(prefix).forEach((k, v) -> s.problem(prefix + k, v, k.equals("path")
                    ? "a path starting with / (e.g. /health)"
                    : "health-check settings only together with " + prefix + "path"));
            return null;
        }
        if (!PATH.matcher(path).matches() || !isUriPath(path)) {
            s.problem(prefix + "path", path, "a path starting with / without spaces (e.g. /health), "
                    + "its special characters percent-encoded");
        }
        Duration interval = s.positiveDuration(prefix + "interval");
        Duration timeout = s.positiveDuration(prefix + "timeout", null);
        if (timeout == null) {
            // absent, or invalid and reported: the default, at most the interval
            Duration d = s.defaultDuration(prefix + "timeout");
            timeout = d.compareTo(interval) > 0 ? interval : d;
        } else if (timeout.compareTo(interval) > 0) {
            s.problem(prefix + "timeout", s.string(prefix + "timeout"),
                    "at most the interval (" + interval.toMillis() + "ms)");
        }
        int healthy = s.integer(prefix + "healthy-threshold", 1, 100);
        int unhealthy = s.integer(prefix + "unhealthy-threshold", 1, 100);
        List<StatusRange> statuses = statuses(s, prefix + "expected-statuses");
        return new HealthCheckConfig(path, interval, timeout, healthy, unhealthy, statuses);
    }

    private static boolean isUriPath(String path) {
        try {
            URI u = new URI("http://h" + path);
            return u.getRawFragment() == null && u.getRawPath() != null && u.getRawPath().startsWith("/");
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static List<StatusRange> statuses(Settings s, String key) {
        List<String> raw = s.listOrDefault(key);
        List<StatusRange> out = new ArrayList<>();
        for (String item : raw) {
            Matcher m = STATUSES.matcher(item);
            if (!m.matches()) {
                s.problem(key, s.string(key), EXPECTED);
                return List.of(); // reported
            }
            int low = Integer.parseInt(m.group(1));
            int high = m.group(2) == null ? low : Integer.parseInt(m.group(2));
            if (high < low) {
                s.problem(key, s.string(key), EXPECTED + "; a range's first status not above its last");
                return List.of();
            }
            out.add(new StatusRange(low, high));
        }
        if (out.isEmpty()) {
            s.problem(key, s.string(key), EXPECTED);
        }
        return out;
    }
}
