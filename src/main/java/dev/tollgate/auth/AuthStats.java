package dev.tollgate.auth;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the token cache and verification, read by metrics and the MXBean. Thread-safe. */
public final class AuthStats {
    final LongAdder verifications = new LongAdder();
    final LongAdder l1Hits = new LongAdder();
    final LongAdder l1Misses = new LongAdder();
    final LongAdder l2Hits = new LongAdder();
    final LongAdder l2Misses = new LongAdder();
    final LongAdder negativeHits = new LongAdder();
    private final Map<AuthException.Reason, LongAdder> failures = new EnumMap<>(AuthException.Reason.class);

    AuthStats() {
        for (AuthException.Reason r : AuthException.Reason.values()) {
            failures.put(r, new LongAdder());
        }
    }

    void failed(AuthException.Reason reason) {
        failures.get(reason).increment();
    }

    /** Signature verifications performed (cache misses that reached java-jwt). */
    public long verifications() {
        return verifications.sum();
    }

    public long l1Hits() {
        return l1Hits.sum();
    }

    public long l1Misses() {
        return l1Misses.sum();
    }

    public long l2Hits() {
        return l2Hits.sum();
    }

    public long l2Misses() {
        return l2Misses.sum();
    }

    public long negativeHits() {
        return negativeHits.sum();
    }

    public long failures(AuthException.Reason reason) {
        return failures.get(reason).sum();
    }

    static double ratio(long hits, long misses) {
        long total = hits + misses;
        return total == 0 ? 0 : (double) hits / total;
    }
}
