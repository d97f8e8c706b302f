package dev.tollgate.config;

import java.util.List;
import java.util.Locale;

/**
 * A route's weighted split over several services, {@code gateway.routes.<name>.services = stable:95, canary:5},
 * and what keeps a client on one of them ({@code sticky-by}).
 *
 * @param shares the services with their weights, in the order written
 * @param stickyBy what a client is known by, or null for a weighted random choice per request
 */
public record TrafficSplit(List<Share> shares, StickyBy stickyBy) {
    public TrafficSplit {
        shares = List.copyOf(shares);
    }

    /**
     * One service of a split.
     *
     * @param service a configured service
     * @param weight its share, a positive whole number (relative to the sum of all weights)
     */
    public record Share(String service, int weight) {
    }

    /**
     * What a sticky split hashes: a request header's first value, a cookie's value, or the principal's subject.
     *
     * @param source where the value comes from
     * @param name the header or cookie name; null for the principal
     */
    public record StickyBy(Source source, String name) {
        /** Where the value of a sticky split comes from. */
        public enum Source { HEADER, COOKIE, PRINCIPAL }

        @Override
        public String toString() {
            String kind = source.name().toLowerCase(Locale.ROOT);
            return name == null ? kind : kind + ":" + name;
        }
    }

    /** The split as configured, e.g. {@code stable:95, canary:5}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Share s : shares) {
            b.append(b.length() == 0 ? "" : ", ").append(s.service()).append(':').append(s.weight());
        }
        return b.toString();
    }
}
