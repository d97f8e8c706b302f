package dev.tollgate.route;

import dev.tollgate.config.TrafficSplit;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A route's weighted split, compiled: picks the service for one request. With a sticky value (a header, a cookie,
 * the principal) the pick is a stable hash of that value, the same on every gateway instance and after a restart;
 * without one it is a weighted random pick. A value maps to a fixed point in [0, 1) and the services own
 * consecutive slices of that range in the order written, so raising the weight of the last service only moves
 * clients onto it, never off it. Immutable and thread-safe.
 */
final class Split {
    private final String[] services;
    /** Upper bounds (exclusive) of each service's slice of [0, total). */
    private final int[] bounds;
    private final int total;
    private final TrafficSplit.StickyBy stickyBy;

    Split(TrafficSplit config) {
        List<TrafficSplit.Share> shares = config.shares();
        services = new String[shares.size()];
        bounds = new int[shares.size()];
        int sum = 0;
        for (int i = 0; i < services.length; i++) {
            services[i] = shares.get(i).service();
            sum += shares.get(i).weight();
            bounds[i] = sum;
        }
        total = sum;
        stickyBy = config.stickyBy();
    }

    TrafficSplit.StickyBy stickyBy() {
        return stickyBy;
    }

    /** The service for a request: by the sticky value when there is one, else at random. */
    String choose(String stickyValue, RandomGenerator random) {
        return at(stickyValue == null ? random.nextInt(total) : position(stickyValue, total));
    }

    /** The service owning a position in [0, total). */
    String at(int position) {
        for (int i = 0; i < bounds.length; i++) {
            if (position < bounds[i]) {
                return services[i];
            }
        }
        throw new IllegalArgumentException("position " + position + " outside [0, " + total + ")");
    }

    /** The value's fixed point in [0, 1) scaled to [0, total): the top 31 bits of its hash times total. */
    static int position(String value, int total) {
        return (int) (((hash(value) >>> 33) * total) >>> 31);
    }

    /**
     * A 64-bit hash of the value's UTF-16 code units, FNV-1a then the SplitMix64 finalizer, so that values that differ
     * in one character land far apart. Fixed by this code, never by the JVM.
     */
    static long hash(String value) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            h = (h ^ (c & 0xff)) * 0x100000001b3L;
            h = (h ^ (c >>> 8)) * 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }
}
