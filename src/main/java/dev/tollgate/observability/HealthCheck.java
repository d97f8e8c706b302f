package dev.tollgate.observability;

import java.util.function.Supplier;

/**
 * One named readiness check (Redis reachable, discovery snapshots present, not draining), run on each call of
 * the health endpoint. A probe that throws counts as down. Immutable; thread-safe when the probe is.
 *
 * @param name the name shown in the health report
 * @param probe answers the current state
 */
public record HealthCheck(String name, Supplier<Status> probe) {
    /**
     * A check's answer; the detail is for operators and names no secret. A degraded check still counts as
     * ready: the gateway serves without what it checks, in a documented weaker way.
     */
    public record Status(boolean up, boolean degraded, String detail) {
        public static Status up(String detail) {
            return new Status(true, false, detail);
        }

        public static Status degraded(String detail) {
            return new Status(true, true, detail);
        }

        public static Status down(String detail) {
            return new Status(false, false, detail);
        }

        /** {@code UP}, {@code DEGRADED} or {@code DOWN}. */
        public String name() {
            return !up ? "DOWN" : degraded ? "DEGRADED" : "UP";
        }
    }

    public Status run() {
        try {
            return probe.get();
        } catch (RuntimeException e) {
            return Status.down("check failed: " + e.getClass().getSimpleName());
        }
    }
}
