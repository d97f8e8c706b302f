package dev.tollgate.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.config.RateLimitRule.Algorithm;
import dev.tollgate.redis.Redis;
import dev.tollgate.redis.RedisUnavailableException;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Buckets in the shared Redis: {@code limit.lua} checks and takes from all of a request's buckets atomically,
 * with time from Redis {@code TIME}, so gateway instances with skewed clocks agree.
 *
 * <p>Requests are batched without a thread of their own: a request queues itself, and when fewer than
 * {@code maxInFlight} script calls are on the wire it becomes the caller for everything queued (at most
 * {@code maxBatch} requests), sends one {@code EVALSHA}, hands each waiting request its outcome and wakes it.
 * Requests that arrive while calls are in flight wait for the next one. The script takes the batch's requests
 * in order, each all or nothing, exactly as if each had made its own call, so limits stay exact; a request
 * makes at most one round trip, and under load one round trip serves many requests, which is what keeps the
 * cost per request low. With {@code maxBatch = 1} every request makes its own call. In a Redis Cluster a batch
 * is split by hash slot: one call per slot.
 *
 * <p><b>Prefetch.</b> Waiting for the answer is what a round trip costs the gateway (a thread parked and woken,
 * more than the script itself), so a busy client's requests mostly do not wait. When one combination of
 * buckets (one client of one route) keeps running out, its next call asks for more units in advance: 1, then
 * twice as many each time it runs out again within the lease, at most {@code maxPrefetch}; after a lease that
 * ended with units unused, as many as that lease used. The script takes them from every bucket in Redis, in
 * the same atomic call, and the instance hands them out locally, without a round trip, until the lease ends
 * ({@code prefetchTime}, at most a tenth of the shortest window). Every admitted request took its unit in
 * Redis, so all instances together never admit more than the limit; the script grants at most a quarter of
 * what a bucket has left, so near the limit requests make one call each again. A sliding log stamps the units
 * at the lease's end (they cannot be counted too early), and the renewer of an ended lease gives its unused
 * units back; a sliding-window counter grants units only for a lease that ends within the current fixed window,
 * and takes unused ones off that window's count. A token bucket's units do not end: a token taken early only
 * makes the bucket stricter.
 * Thread-safe.
 */
final class RedisBuckets implements Buckets {
    static final LuaScript LIMIT = new LuaScript("limit.lua");
    /** Combinations of buckets with a lease kept at once: beyond it the least used are dropped. */
    private static final int MAX_LEASES = 10_000;
    /** A combination of buckets unused this long loses its lease (and any units in it). */
    private static final Duration LEASE_IDLE = Duration.ofSeconds(30);

    private final Redis redis;
    private final Timer latency;
    private final LongSupplier testClock;
    private final int maxBatch;
    private final int maxInFlight;
    private final Semaphore inFlight;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final LongAdder calls = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final int maxPrefetch;
    private final long prefetchMicros;
    private final LongSupplier nanoTime;
    /** Each combination of buckets' current lease: the request's bucket list is the key. */
    private final Cache<List<Acquire>, Lease> leases;
    private final LongAdder prefetched = new LongAdder();
    private final LongAdder served = new LongAdder();
    /** Names this instance's leases apart from other instances' in the sliding logs. */
    private final String leasePrefix = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36) + ":";
    private final AtomicLong leaseCount = new AtomicLong();

    /** One request waiting for its outcomes. */
    private static final class Pending {
        final List<Acquire> buckets;
        final Thread thread = Thread.currentThread();
        /** Units to prefetch (0: none), and their lease in microseconds. */
        int want;
        long leaseMicros;
        /** The new lease's name, and the units of an ended one to give back (its name, how many, taken when). */
        String leaseId = "";
        String refundId = "";
        int refund;
        long refundAt;
        List<Outcome> outcomes;
        int granted;
        /** The time of the script call (Redis's), in microseconds. */
        long time;
        RedisUnavailableException failure;
        /** In a batch on the wire: its caller wakes this request when the answer is in. */
        volatile boolean taken;
        volatile boolean done;

        Pending(List<Acquire> buckets) {
            this.buckets = buckets;
        }
    }

    /**
     * @param redis the shared client
     * @param latency records each script call
     * @param maxBatch most requests per script call (1: one call per request)
     * @param maxInFlight most script calls on the wire at once (each holds a pooled connection)
     */
    RedisBuckets(Redis redis, Timer latency, int maxBatch, int maxInFlight, int maxPrefetch, Duration prefetchTime) {
        this(redis, latency, maxBatch, maxInFlight, maxPrefetch, prefetchTime, null);
    }

    /**
     * @param maxPrefetch most units one call takes ahead for a combination of buckets (0: no prefetch)
     * @param prefetchTime how long prefetched units may be handed out (at most a tenth of the shortest window)
     * @param testClockMicros a fake time in microseconds instead of Redis {@code TIME}, also the leases' clock;
     *     null in production
     */
    RedisBuckets(Redis redis, Timer latency, int maxBatch, int maxInFlight, int maxPrefetch, Duration prefetchTime,
                 LongSupplier testClockMicros) {
        this.redis = redis;
        this.latency = latency;
        this.maxBatch = maxBatch;
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        this.testClock = testClockMicros;
        this.maxPrefetch = maxPrefetch;
        this.prefetchMicros = TimeUnit.NANOSECONDS.toMicros(prefetchTime.toNanos());
        this.nanoTime = testClockMicros == null ? System::nanoTime : () -> testClockMicros.getAsLong() * 1_000;
        // kept while its client comes back: it may hold units (a token bucket's do not end), and the next
        // lease's size depends on how it went
        this.leases = Caffeine.newBuilder().maximumSize(MAX_LEASES).expireAfterAccess(LEASE_IDLE).build();
    }

    @Override
    public List<Outcome> acquire(List<Acquire> buckets) throws RedisUnavailableException {
        if (maxPrefetch == 0) {
            return send(new Pending(buckets));
        }
        long now = nanoTime.getAsLong();
        Map<List<Acquire>, Lease> table = leases.asMap();
        Lease lease = table.get(buckets);
        Pending self = new Pending(buckets);
        boolean renew = false;
        if (lease != null) {
            // a spent or ended lease hands over to the next one, once its renewer has installed it
            while (!lease.usable(now) && lease.next != null) {
                table.replace(buckets, lease, lease.next);
                lease = lease.next;
            }
            // the renewer asks for the next lease while a quarter of this one is left, so that under steady load
            // requests never run dry and wait; meanwhile the others go on with what is left, or make plain calls
            renew = lease.next == null && lease.low(now) && lease.renewing.compareAndSet(false, true);
            if (renew) {
                self.want = lease.nextSize(now, maxPrefetch);
                if (lease.ended(now)) {
                    // its unused units go back to the sliding logs: nobody can take them any more
                    self.refund = lease.left.getAndSet(0);
                    self.refundId = lease.id;
                    self.refundAt = lease.takenAt;
                }
            } else {
                List<Outcome> local = lease.take(now);
                if (local != null) {
                    served.increment();
                    return local;
                }
            }
        }
        self.leaseMicros = leaseMicros(buckets);
        if (self.want > 0) {
            self.leaseId = leasePrefix + leaseCount.incrementAndGet();
        }
        List<Outcome> outcomes;
        try {
            outcomes = send(self);
        } catch (RedisUnavailableException e) {
            if (renew) {
                lease.renewing.set(false);
            }
            throw e;
        }
        if (renew || lease == null) {
            // a lease without units too: it remembers when this combination last ran out. A renewer installs its
            // lease as the next one; requests that found none only add one, so no lease with units is ever
            // overwritten (one evicted from the table loses its units: at most MAX_LEASES combinations keep one)
            Lease next = new Lease(outcomes, self.granted, self.leaseId, self.time, now + self.leaseMicros * 1_000,
                    expires(buckets));
            if (renew) {
                lease.next = next;
                if (vetoed(buckets, outcomes)) {
                    // Redis has no room left, but this instance still holds units it took earlier: use one
                    List<Outcome> local = lease.take(nanoTime.getAsLong());
                    if (local != null) {
                        served.increment();
                        return local;
                    }
                }
            } else {
                table.putIfAbsent(buckets, next);
            }
            if (self.granted > 0) {
                prefetched.add(self.granted);
            }
            return withUnused(outcomes, self.granted + (renew ? Math.max(0, lease.left.get()) : 0), false);
        }
        return outcomes;
    }

    private static boolean vetoed(List<Acquire> buckets, List<Outcome> outcomes) {
        for (int i = 0; i < buckets.size(); i++) {
            if (buckets.get(i).enforced() && !outcomes.get(i).allowed()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Outcomes whose {@code remaining} counts {@code unused} prefetched units too, as the client may still use
     * them; {@code admittedHere}: by a unit this instance held, so allowed in every bucket whatever Redis said.
     */
    static List<Outcome> withUnused(List<Outcome> outcomes, int unused, boolean admittedHere) {
        if (unused == 0 && !admittedHere) {
            return outcomes;
        }
        List<Outcome> out = new ArrayList<>(outcomes.size());
        for (Outcome o : outcomes) {
            out.add(admittedHere ? new Outcome(true, o.remaining() + unused, o.resetMicros(), 0)
                    : new Outcome(o.allowed(), o.remaining() + unused, o.resetMicros(), o.retryMicros()));
        }
        return out;
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

    /** One script call for the request, batched with others unless {@code maxBatch = 1}. */
    private List<Outcome> send(Pending self) throws RedisUnavailableException {
        if (maxBatch == 1) {
            run(List.of(self));
            return result(self);
        }
        queue.add(self);
        while (!self.done) {
            if (!self.taken && inFlight.tryAcquire()) {
                try {
                    List<Pending> batch = drain();
                    if (!batch.isEmpty()) {
                        run(batch);
                    }
                } finally {
                    inFlight.release();
                    Pending next = queue.peek();
                    if (next != null) {
                        LockSupport.unpark(next.thread); // the next caller: nobody else may be free to send
                    }
                }
            } else {
                // woken when our batch is answered, or when a call ends and we head the queue; a request whose
                // batch is on the wire must not spin on a free slot meanwhile
                LockSupport.park(this);
            }
        }
        return result(self);
    }

    /** The requests in one script call, in order, as if batched (for tests: the batch's answers per request). */
    List<List<Outcome>> acquireTogether(List<List<Acquire>> requests) throws RedisUnavailableException {
        List<Pending> batch = new ArrayList<>();
        requests.forEach(r -> batch.add(new Pending(r)));
        run(batch);
        List<List<Outcome>> out = new ArrayList<>();
        for (Pending p : batch) {
            out.add(result(p));
        }
        return out;
    }

    private List<Pending> drain() {
        List<Pending> batch = new ArrayList<>(Math.min(maxBatch, 16));
        Pending p;
        while (batch.size() < maxBatch && (p = queue.poll()) != null) {
            p.taken = true;
            batch.add(p);
        }
        return batch;
    }

    private static List<Outcome> result(Pending p) throws RedisUnavailableException {
        if (p.failure != null) {
            throw p.failure;
        }
        return p.outcomes;
    }

    /**
     * One script call for the batch (in a cluster, one per hash slot, since a script touches one slot); every
     * request of it gets its outcomes (or the failure) and is woken.
     */
    private void run(List<Pending> batch) {
        if (!redis.isCluster() || batch.size() == 1) {
            call(batch);
            return;
        }
        Map<Integer, List<Pending>> bySlot = new LinkedHashMap<>();
        for (Pending p : batch) {
            bySlot.computeIfAbsent(JedisClusterCRC16.getSlot(p.buckets.get(0).key()), k -> new ArrayList<>()).add(p);
        }
        bySlot.values().forEach(this::call);
    }

    private void call(List<Pending> batch) {
        long nowMicros = testClock == null ? -1 : testClock.getAsLong();
        Map<String, Integer> index = new HashMap<>();
        List<String> keys = new ArrayList<>();
        List<String> args = new ArrayList<>();
        args.add(Long.toString(nowMicros));
        args.add(Integer.toString(batch.size()));
        for (Pending p : batch) {
            args.add(Integer.toString(p.buckets.size()));
            args.add(Integer.toString(p.want));
            args.add(Long.toString(p.leaseMicros));
            args.add(p.leaseId);
            args.add(p.refundId);
            args.add(Integer.toString(p.refund));
            args.add(Long.toString(p.refundAt));
            for (Acquire a : p.buckets) {
                Integer i = index.get(a.key());
                if (i == null) {
                    keys.add(a.key());
                    i = keys.size();
                    index.put(a.key(), i);
                }
                args.add(Integer.toString(i));
                args.add(a.scriptCode());
                args.add(Long.toString(a.limit()));
                args.add(Long.toString(a.windowMicros()));
                args.add(Long.toString(a.burst()));
                args.add(a.enforced() ? "1" : "0");
            }
        }
        try {
            long start = System.nanoTime();
            List<?> values = (List<?>) redis.call(j -> LIMIT.eval(j, keys, args));
            latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            calls.increment();
            requests.add(batch.size());
            int v = 0;
            for (Pending p : batch) {
                List<Outcome> out = new ArrayList<>(p.buckets.size());
                for (int i = 0; i < p.buckets.size(); i++, v += 4) {
                    out.add(new Outcome(number(values, v) == 1, number(values, v + 1), number(values, v + 2),
                            number(values, v + 3)));
                }
                p.outcomes = out;
                p.granted = (int) number(values, v++);
                p.time = number(values, v++);
            }
        } catch (RedisUnavailableException e) {
            batch.forEach(p -> p.failure = e);
        } catch (RuntimeException e) {
            RedisUnavailableException failure = new RedisUnavailableException("rate-limit script failed: " + e, e);
            batch.forEach(p -> p.failure = failure);
        } finally {
            for (Pending p : batch) {
                p.done = true;
                if (p.thread != Thread.currentThread()) {
                    LockSupport.unpark(p.thread);
                }
            }
        }
    }

    private static long number(List<?> values, int i) {
        return ((Number) values.get(i)).longValue();
    }

    /** Script calls made, and the requests they served: their ratio is the mean batch size. */
    long calls() {
        return calls.sum();
    }

    long requests() {
        return requests.sum();
    }

    /** Units taken ahead for requests to come, and the requests served from them without a call. */
    long prefetched() {
        return prefetched.sum();
    }

    long servedFromPrefetch() {
        return served.sum();
    }

    /** Units this instance holds for these buckets, unused and not ended (for tests). */
    int held(List<Acquire> buckets) {
        long now = nanoTime.getAsLong();
        int n = 0;
        for (Lease l = leases.getIfPresent(buckets); l != null; l = l.next) {
            n += l.ended(now) ? 0 : Math.max(0, l.left.get());
        }
        return n;
    }

    /** Script calls on the wire now. */
    int callsInFlight() {
        return maxInFlight - inFlight.availablePermits();
    }

    /** Requests queued for the next call. */
    int waiting() {
        return queue.size();
    }

    @Override
    public long reset(List<String> keys) throws RedisUnavailableException {
        leases.invalidateAll(); // units taken before the reset would only hold clients back
        long n = 0;
        for (String key : keys) {
            // one DEL per key: keys of different identities may sit in different cluster slots
            n += redis.call(j -> j.del(key));
        }
        return n;
    }
}
