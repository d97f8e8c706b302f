package dev.tollgate.ratelimit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Units taken ahead in Redis for one combination of buckets, handed out by {@link Prefetch} on one gateway
 * instance until it ends (see {@link RedisBuckets} for the scheme). Thread-safe: requests take units with a
 * compare-and-set.
 */
final class Lease {
    /** The outcomes of the call that took them: what Redis had left after it, the units included. */
    final List<BucketAnswer> base;
    final int granted;
    /** Its members' name in the sliding logs ({@code <id>-<n>}), for a refund of units it did not use. */
    final String id;
    /** The time of the call that took them (Redis's): a counter gives unused units back to that window. */
    final long takenAt;
    /** The end of the lease: a sliding log stamps its units at this time, so they cannot be used later. */
    final long end;
    /** Whether units cannot be used after {@link #end}: only with a sliding log or counter among the buckets. */
    final boolean expires;
    final AtomicInteger left;
    /** Set by the one request that asks for the next lease; the others make plain calls meanwhile. */
    final AtomicBoolean renewing = new AtomicBoolean();
    /** The lease its renewer took, handed out once this one is spent or ended. */
    volatile Lease next;

    Lease(List<BucketAnswer> base, int granted, String id, long takenAt, long end, boolean expires) {
        this.base = base;
        this.granted = granted;
        this.id = id;
        this.takenAt = takenAt;
        this.end = end;
        this.expires = expires;
        this.left = new AtomicInteger(granted);
    }

    /** Whether it has units to hand out. */
    boolean usable(long now) {
        return !ended(now) && left.get() > 0;
    }

    /** Whether its units can no longer be used. */
    boolean ended(long now) {
        return expires && now - end >= 0;
    }

    /** Whether it is time to ask for the next lease: a quarter or less left, or none, or ended. */
    boolean low(long now) {
        return ended(now) || left.get() <= granted / 4;
    }

    /**
     * Takes a unit; the outcomes as the request's own call would have said them (Redis's latest answer, with
     * the units still unused here), or null if none is left.
     */
    List<BucketAnswer> take(long now) {
        if (ended(now)) {
            return null;
        }
        int n;
        do {
            n = left.get();
            if (n <= 0) {
                return null;
            }
        } while (!left.compareAndSet(n, n - 1));
        // a unit taken here admits the request in every bucket (it was taken from all of them); the rest
        // comes from Redis's latest answer, which may be a refusal when Redis has no room left
        Lease after = next;
        return after == null ? withUnused(base, n - 1, true) : withUnused(after.base, n - 1 + after.left.get(), true);
    }

    /** How many units to ask for next: twice as many when it runs low before it ends, else as many as it used. */
    int nextSize(long now, int max) {
        if (now - end < 0) {
            return Math.min(max, Math.max(1, granted * 2));
        }
        return Math.min(max, granted - Math.max(0, left.get()));
    }

    /**
     * Bucket answers whose {@code remaining} counts {@code unused} prefetched units too, as the client may still
     * use them; {@code admittedHere}: by a unit this instance held, so allowed in every bucket whatever Redis said.
     */
    static List<BucketAnswer> withUnused(List<BucketAnswer> outcomes, int unused, boolean admittedHere) {
        if (unused == 0 && !admittedHere) {
            return outcomes;
        }
        List<BucketAnswer> out = new ArrayList<>(outcomes.size());
        for (BucketAnswer o : outcomes) {
            out.add(admittedHere ? new BucketAnswer(true, o.remaining() + unused, o.resetMicros(), 0)
                    : new BucketAnswer(o.allowed(), o.remaining() + unused, o.resetMicros(), o.retryMicros()));
        }
        return out;
    }
}
