package dev.tollgate.ratelimit;

import dev.tollgate.config.RateLimitRule.Algorithm;
import dev.tollgate.redis.Redis;
import dev.tollgate.redis.RedisUnavailableException;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
 * is split by hash slot: one call per slot. Thread-safe.
 */
final class RedisBuckets implements Buckets {
    static final LuaScript LIMIT = new LuaScript("limit.lua");

    private final Redis redis;
    private final Timer latency;
    private final LongSupplier testClock;
    private final int maxBatch;
    private final int maxInFlight;
    private final Semaphore inFlight;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final LongAdder calls = new LongAdder();
    private final LongAdder requests = new LongAdder();

    /** One request waiting for its outcomes. */
    private static final class Pending {
        final List<Acquire> buckets;
        final Thread thread = Thread.currentThread();
        List<Outcome> outcomes;
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
    RedisBuckets(Redis redis, Timer latency, int maxBatch, int maxInFlight) {
        this(redis, latency, maxBatch, maxInFlight, null);
    }

    /**
     * With a fake time in microseconds instead of Redis {@code TIME}: only for the test cases shared with
     * {@link LocalBuckets}.
     */
    RedisBuckets(Redis redis, Timer latency, int maxBatch, int maxInFlight, LongSupplier testClockMicros) {
        this.redis = redis;
        this.latency = latency;
        this.maxBatch = maxBatch;
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        this.testClock = testClockMicros;
    }

    @Override
    public List<Outcome> acquire(List<Acquire> buckets) throws RedisUnavailableException {
        Pending self = new Pending(buckets);
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
            for (Acquire a : p.buckets) {
                Integer i = index.get(a.key());
                if (i == null) {
                    keys.add(a.key());
                    i = keys.size();
                    index.put(a.key(), i);
                }
                args.add(Integer.toString(i));
                args.add(a.algorithm() == Algorithm.SLIDING_WINDOW ? "1" : "2");
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
        long n = 0;
        for (String key : keys) {
            // one DEL per key: keys of different identities may sit in different cluster slots
            n += redis.call(j -> j.del(key));
        }
        return n;
    }
}
