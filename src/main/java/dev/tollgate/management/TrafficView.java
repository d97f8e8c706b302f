package dev.tollgate.management;

import dev.tollgate.observability.Traffic;
import java.util.function.Supplier;

/** Reads one route's or service's traffic on every attribute access. Thread-safe. */
final class TrafficView {
    private final Supplier<Traffic> traffic;

    TrafficView(Supplier<Traffic> traffic) {
        this.traffic = traffic;
    }

    Traffic now() {
        return traffic.get();
    }

    static double round(double millis) {
        return Math.round(millis * 1000) / 1000.0;
    }
}
