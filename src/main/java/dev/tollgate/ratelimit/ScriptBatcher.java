package dev.tollgate.ratelimit;

import dev.tollgate.ratelimit.LimitScript.Answer;
import dev.tollgate.ratelimit.LimitScript.Request;
import dev.tollgate.redis.Redis;
import dev.tollgate.redis.RedisUnavailableException;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Batches {@code limit.lua} calls without a thread of their own: a request queues itself, and when fewer than
 * {@code maxInFlight} script calls are on the wire it becomes the caller for everything queued (at most
 * {@code maxBatch} requests), sends one {@code EVALSHA}, hands each waiting request its answer and wakes it.
 * Requests that arrive while calls are in flight wait for the next one. With {@code maxBatch = 1} every request
 * makes its own call. In a Redis Cluster a batch is split by hash slot: one call per slot. Thread-safe.
 */
final class ScriptBatcher {
    private final Redis redis;
    private final Timer latency;
    private final LimitClock clock;
    private volatile int maxBatch;
    private final Slots inFlight;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final LongAdder calls = new LongAdder();
    private final LongAdder requests = new LongAdder();

    /** One request waiting for its answer. */
    private static final class Pending {
        final Request request;
        final Thread thread = Thread.currentThread();
        Answer answer;
        RedisUnavailableException failure;
        /** In a batch on the wire: its caller wakes this request when the answer is in. */
        volatile boolean taken;
        volatile boolean done;

        Pending(Request request) {
            this.request = request;
        }
    }

    /**
     * @param redis the shared client
     * @param latency records each script call
     * @param clock the time the script counts in
     * @param maxBatch most requests per script call (1: one call per request)
     * @param maxInFlight most script calls on the wire at once (each holds a pooled connection)
     */
    ScriptBatcher(Redis redis, Timer latency, LimitClock clock, int maxBatch, int maxInFlight) {
        this.redis = redis;
        this.latency = latency;
        this.clock = clock;
        this.maxBatch = maxBatch;
        this.inFlight = new Slots(maxInFlight);
    }

    /** The places for calls on the wire; a reload changes how many there are. */
    private static final class Slots extends Semaphore {
        private static final long serialVersionUID = 1L;
        private int size;

        Slots(int size) {
            super(size);
            this.size = size;
        }

        /** Fewer places take effect as calls on the wire end; more at once. */
        synchronized void resize(int next) {
            if (next > size) {
                release(next - size);
            } else if (next < size) {
                reducePermits(size - next);
            }
            size = next;
        }

        synchronized int size() {
            return size;
        }
    }

    /**
     * Takes reloaded settings: the batch size for the next batch, the calls on the wire as calls end (fewer) or
     * at once (more).
     */
    void resize(int maxBatch, int maxInFlight) {
        this.maxBatch = maxBatch;
        inFlight.resize(maxInFlight);
    }

    /** One script call for the request, batched with others unless {@code maxBatch = 1}. */
    Answer send(Request request) throws RedisUnavailableException {
        Pending self = new Pending(request);
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

    private List<Pending> drain() {
        List<Pending> batch = new ArrayList<>(Math.min(maxBatch, 16));
        Pending p;
        while (batch.size() < maxBatch && (p = queue.poll()) != null) {
            p.taken = true;
            batch.add(p);
        }
        return batch;
    }

    private static Answer result(Pending p) throws RedisUnavailableException {
        if (p.failure != null) {
            throw p.failure;
        }
        return p.answer;
    }

    /**
     * One script call for the batch (in a cluster, one per hash slot, since a script touches one slot); every
     * request of it gets its answer (or the failure) and is woken.
     */
    private void run(List<Pending> batch) {
        if (!redis.isCluster() || batch.size() == 1) {
            call(batch);
            return;
        }
        Map<Integer, List<Pending>> bySlot = new LinkedHashMap<>();
        for (Pending p : batch) {
            int slot = JedisClusterCRC16.getSlot(p.request.buckets().get(0).key());
            bySlot.computeIfAbsent(slot, k -> new ArrayList<>()).add(p);
        }
        bySlot.values().forEach(this::call);
    }

    private void call(List<Pending> batch) {
        List<Request> sent = new ArrayList<>(batch.size());
        batch.forEach(p -> sent.add(p.request));
        try {
            List<Answer> answers = LimitScript.call(redis, sent, clock.scriptMicros(), latency);
            calls.increment();
            requests.add(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).answer = answers.get(i);
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

    /** Script calls made, and the requests they served: their ratio is the mean batch size. */
    long calls() {
        return calls.sum();
    }

    long requests() {
        return requests.sum();
    }

    /** Script calls on the wire now. */
    int callsInFlight() {
        return inFlight.size() - inFlight.availablePermits();
    }

    /** Requests queued for the next call. */
    int waiting() {
        return queue.size();
    }
}
