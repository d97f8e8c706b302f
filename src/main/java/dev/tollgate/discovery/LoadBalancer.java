package dev.tollgate.discovery;

import dev.tollgate.config.LoadBalancing;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * How an instance is picked among a service's eligible members. Each strategy scans at most the member array
 * twice and allocates nothing. Stateless: the rotation cursor is the caller's.
 */
enum LoadBalancer {
    /** Each instance in turn. */
    ROUND_ROBIN {
        @Override
        Member pick(ServicePool.State st, long cursor, Predicate<Member> eligible) {
            return firstFrom(st.members(), (int) Math.floorMod(cursor, (long) st.members().length), eligible);
        }
    },
    /**
     * Each instance in proportion to its weight: over every {@code totalWeight} consecutive picks each instance is
     * visited exactly {@code weight} times, interleaved (the cursor is multiplied by a stride coprime with the
     * total, so heavy instances are not hit in runs).
     */
    WEIGHTED {
        @Override
        Member pick(ServicePool.State st, long cursor, Predicate<Member> eligible) {
            int[] cumulative = st.cumulative();
            int total = cumulative[cumulative.length - 1];
            long position = Math.floorMod(Math.floorMod(cursor, (long) total) * st.stride(), (long) total);
            int i = 0;
            while (cumulative[i] <= position) {
                i++;
            }
            return firstFrom(st.members(), i, eligible);
        }
    },
    /**
     * Least outstanding requests by the power of two choices: two different random eligible instances, the one
     * with fewer outstanding leases per unit of weight wins (Mitzenmacher 2001; Envoy's LEAST_REQUEST).
     */
    LEAST_REQUEST {
        @Override
        Member pick(ServicePool.State st, long cursor, Predicate<Member> eligible) {
            Member[] members = st.members();
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int first = random.nextInt(members.length);
            Member a = firstFrom(members, first, eligible);
            if (a == null || members.length == 1) {
                return a;
            }
            int second = random.nextInt(members.length - 1);
            if (second >= first) {
                second++;
            }
            Member b = firstFrom(members, second, eligible);
            if (b == null || b == a) {
                return a;
            }
            long loadA = (long) a.outstanding().get() * b.weight();
            long loadB = (long) b.outstanding().get() * a.weight();
            return loadB < loadA ? b : a;
        }
    };

    abstract Member pick(ServicePool.State st, long cursor, Predicate<Member> eligible);

    /** The strategy of a configured choice. */
    static LoadBalancer of(LoadBalancing choice) {
        return switch (choice) {
            case ROUND_ROBIN -> ROUND_ROBIN;
            case WEIGHTED -> WEIGHTED;
            case LEAST_REQUEST -> LEAST_REQUEST;
        };
    }

    private static Member firstFrom(Member[] members, int start, Predicate<Member> eligible) {
        int n = members.length;
        for (int k = 0; k < n; k++) {
            Member m = members[(start + k) % n];
            if (eligible.test(m)) {
                return m;
            }
        }
        return null;
    }
}
