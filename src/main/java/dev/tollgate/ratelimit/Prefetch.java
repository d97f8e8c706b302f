package dev.tollgate.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.config.RateLimitRule.Algorithm;
import dev.tollgate.ratelimit.LimitScript.Answer;
import dev.tollgate.ratelimit.LimitScript.Request;
import dev.tollgate.redis.RedisUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The prefetch leases of one {@link RedisBuckets}: which combination of buckets holds which {@link Lease}, when
 * to renew one and how large, the units an ended one gives back, and the requests served from them without a
 * round trip (the class comment of {@link RedisBuckets} describes the scheme). Thread-safe.
 */
final class Prefetch {
    /** Combinations of buckets with a lease kept at once: beyond it the least used are dropped. */
    private static final int MAX_LEASES = 10_000;
    /** A combination of buckets unused this long loses its lease (and any units in it). */
    private static final Duration LEASE_IDLE = Duration.ofSeconds(30);

    /** Where a request goes when no lease serves it: one script call. */
    interface Sender {
        Answer send(Request request) throws RedisUnavailableException;
    }

    private volatile int maxPrefetch;
    private volatile long prefetchMicros;
    private final LimitClock clock;
    /** Each combination of buckets' current lease: the request's bucket list is the key. */
    private final Cache<List<Acquire>, Lease> leases;
    private final LongAdder prefetched = new LongAdder();
    private final LongAdder served = new LongAdder();
    /** Names this instance's leases apart from other instances' in the sliding logs. */
    private final String leasePrefix = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36) + ":";
    private final AtomicLong leaseCount = new AtomicLong();

    /**
     * @param maxPrefetch most units one call takes ahead for a combination of buckets
     * @param prefetchTime how long prefetched units may be handed out (at most a tenth of the shortest window)
     * @param clock ends the leases
     */
    Prefetch(int maxPrefetch, Duration prefetchTime, LimitClock clock) {
        resize(maxPrefetch, prefetchTime);
        this.clock = clock;
        // kept while its client comes back: it may hold units (a token bucket's do not end), and the next
        // lease's size depends on how it went
        this.leases = Caffeine.newBuilder().maximumSize(MAX_LEASES).expireAfterAccess(LEASE_IDLE).build();
    }

    /** Takes reloaded settings: leases renewed from now on are sized and timed by them. */
    void resize(int maxPrefetch, Duration prefetchTime) {
        this.maxPrefetch = maxPrefetch;
        this.prefetchMicros = TimeUnit.NANOSECONDS.toMicros(prefetchTime.toNanos());
    }

    /** The request's outcomes: from a unit of its lease, or from a call by {@code sender} that may renew it. */
    List<BucketAnswer> acquire(List<Acquire> buckets, Sender sender) throws RedisUnavailableException {
        long now = clock.nanoTime();
        Lease lease = current(buckets, now);
        // the renewer asks for the next lease while a quarter of this one is left, so that under steady load
        // requests never run dry and wait; meanwhile the others go on with what is left, or make plain calls
        boolean renew = lease != null && lease.next == null && lease.low(now)
                && lease.renewing.compareAndSet(false, true);
        if (lease != null && !renew) {
            List<BucketAnswer> local = lease.take(now);
            if (local != null) {
                served.increment();
                return local;
            }
        }
        Request request = request(buckets, renew ? lease : null, now);
        Answer answer;
        try {
            answer = sender.send(request);
        } catch (RedisUnavailableException e) {
            if (renew) {
                lease.renewing.set(false);
            }
            throw e;
        }
        if (renew) {
            return renewed(lease, request, answer, now);
        }
        return lease == null ? first(request, answer, now) : answer.outcomes();
    }

    /** The combination's lease, past those spent or ended whose renewer has installed the next one; or null. */
    private Lease current(List<Acquire> buckets, long now) {
        Map<List<Acquire>, Lease> table = leases.asMap();
        Lease lease = table.get(buckets);
        while (lease != null && !lease.usable(now) && lease.next != null) {
            table.replace(buckets, lease, lease.next);
            lease = lease.next;
        }
        return lease;
    }

    /** The script request: with {@code renewing}, the next lease's units and the ended lease's refund. */
    private Request request(List<Acquire> buckets, Lease renewing, long now) {
        int want = 0;
        String refundId = "";
        int refund = 0;
        long refundAt = 0;
        if (renewing != null) {
            want = renewing.nextSize(now, maxPrefetch);
            if (renewing.ended(now)) {
                // its unused units go back to the sliding logs: nobody can take them any more
                refund = renewing.left.getAndSet(0);
                refundId = renewing.id;
                refundAt = renewing.takenAt;
            }
        }
        long leaseMicros = leaseMicros(buckets);
        String leaseId = want > 0 ? leasePrefix + leaseCount.incrementAndGet() : "";
        return new Request(buckets, want, leaseMicros, leaseId, refundId, refund, refundAt);
    }

    /**
     * A lease without units too: it remembers when this combination last ran out. Requests that found none only
     * add one, so no lease with units is ever overwritten (one evicted from the table loses its units: at most
     * MAX_LEASES combinations keep one).
     */
    private List<BucketAnswer> first(Request request, Answer answer, long now) {
        leases.asMap().putIfAbsent(request.buckets(), lease(request, answer, now));
        count(answer);
        return Lease.withUnused(answer.outcomes(), answer.granted(), false);
    }

    /** The renewer installs its lease as the next one. */
    private List<BucketAnswer> renewed(Lease lease, Request request, Answer answer, long now) {
        lease.next = lease(request, answer, now);
        if (vetoed(request.buckets(), answer.outcomes())) {
            // Redis has no room left, but this instance still holds units it took earlier: use one
            List<BucketAnswer> local = lease.take(clock.nanoTime());
            if (local != null) {
                served.increment();
                return local;
            }
        }
        count(answer);
        return Lease.withUnused(answer.outcomes(), answer.granted() + Math.max(0, lease.left.get()), false);
    }

    private static Lease lease(Request request, Answer answer, long now) {
        return new Lease(answer.outcomes(), answer.granted(), request.leaseId(), answer.time(),
                now + request.leaseMicros() * 1_000, expires(request.buckets()));
    }

    private void count(Answer answer) {
        if (answer.granted() > 0) {
            prefetched.add(answer.granted());
        }
    }

    private static boolean vetoed(List<Acquire> buckets, List<BucketAnswer> outcomes) {
        for (int i = 0; i < buckets.size(); i++) {
            if (buckets.get(i).enforced() && !outcomes.get(i).allowed()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether prefetched units must not be used after their lease: a sliding log stamps them at the lease's end,
     * a counter counts them in the window the lease ends in. Tokens taken from a token bucket may be used any time
     * later, which is only stricter.
     */
    private static boolean expires(List<Acquire> buckets) {
        for (Acquire a : buckets) {
            if (a.algorithm() != Algorithm.TOKEN_BUCKET) {
                return true;
            }
        }
        return false;
    }

    /** The lease of units prefetched for these buckets: the configured time, at most a tenth of any window. */
    private long leaseMicros(List<Acquire> buckets) {
        long micros = prefetchMicros;
        for (Acquire a : buckets) {
            micros = Math.min(micros, a.windowMicros() / 10);
        }
        return micros;
    }

    /** Units taken ahead for requests to come, and the requests served from them without a call. */
    long prefetched() {
        return prefetched.sum();
    }

    long served() {
        return served.sum();
    }

    /** Units this instance holds for these buckets, unused and not ended. */
    int held(List<Acquire> buckets) {
        long now = clock.nanoTime();
        int n = 0;
        for (Lease l = leases.getIfPresent(buckets); l != null; l = l.next) {
            n += l.ended(now) ? 0 : Math.max(0, l.left.get());
        }
        return n;
    }

    /** Drops every lease: units taken before a reset would only hold clients back. */
    void clear() {
        leases.invalidateAll();
    }
}
