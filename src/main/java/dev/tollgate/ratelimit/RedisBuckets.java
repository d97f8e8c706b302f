package dev.tollgate.ratelimit;

import dev.tollgate.ratelimit.LimitScript.Request;
import dev.tollgate.redis.Redis;
import dev.tollgate.redis.RedisUnavailableException;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;

/**
 * Buckets in the shared Redis: {@code limit.lua} checks and takes from all of a request's buckets atomically,
 * with time from Redis {@code TIME}, so gateway instances with skewed clocks agree.
 *
 * <p>Requests are batched without a thread of their own ({@link ScriptBatcher}): a request queues itself, and
 * when fewer than {@code maxInFlight} script calls are on the wire it becomes the caller for everything queued (at
 * most {@code maxBatch} requests), sends one {@code EVALSHA}, hands each waiting request its outcome and wakes it.
 * Requests that arrive while calls are in flight wait for the next one. The script takes the batch's requests
 * in order, each all or nothing, exactly as if each had made its own call, so limits stay exact; a request
 * makes at most one round trip, and under load one round trip serves many requests, which is what keeps the
 * cost per request low. With {@code maxBatch = 1} every request makes its own call. In a Redis Cluster a batch
 * is split by hash slot: one call per slot.
 *
 * <p><b>Prefetch</b> ({@link Prefetch}, {@link Lease}). Waiting for the answer is what a round trip costs the
 * gateway (a thread parked and woken, more than the script itself), so a busy client's requests mostly do not wait.
 * When one combination of buckets (one client of one route) keeps running out, its next call asks for more units in
 * advance: 1, then twice as many each time it runs out again within the lease, at most {@code maxPrefetch}; after a
 * lease that ended with units unused, as many as that lease used. The script takes them from every bucket in Redis,
 * in the same atomic call, and the instance hands them out locally, without a round trip, until the lease ends
 * ({@code prefetchTime}, at most a tenth of the shortest window). Every admitted request took its unit in Redis, so
 * all instances together never admit more than the limit; the script grants at most a quarter of what a bucket has
 * left, so near the limit requests make one call each again. A sliding log stamps the units at the lease's end (they
 * cannot be counted too early), and the renewer of an ended lease gives its unused units back; a sliding-window
 * counter grants units only for a lease that ends within the current fixed window, and takes unused ones off that
 * window's count. A token bucket's units do not end: a token taken early only makes the bucket stricter.
 *
 * <p>What the script is called with and answers is {@link LimitScript}; the time it counts in, {@link LimitClock}.
 * Thread-safe.
 */
final class RedisBuckets implements Buckets {
    private final Redis redis;
    private final ScriptBatcher batcher;
    /** Null without prefetch. */
    private final Prefetch prefetch;

    /**
     * Buckets that count in Redis {@code TIME}.
     *
     * @param redis the shared client
     * @param latency records each script call
     * @param maxBatch most requests per script call (1: one call per request)
     * @param maxInFlight most script calls on the wire at once (each holds a pooled connection)
     * @param maxPrefetch most units one call takes ahead for a combination of buckets (0: no prefetch)
     * @param prefetchTime how long prefetched units may be handed out (at most a tenth of the shortest window)
     */
    RedisBuckets(Redis redis, Timer latency, int maxBatch, int maxInFlight, int maxPrefetch, Duration prefetchTime) {
        this(redis, latency, maxBatch, maxInFlight, maxPrefetch, prefetchTime, LimitClock.REDIS_TIME);
    }

    /** The same, counting in {@code clock}'s time. */
    RedisBuckets(Redis redis, Timer latency, int maxBatch, int maxInFlight, int maxPrefetch, Duration prefetchTime,
                 LimitClock clock) {
        this.redis = redis;
        this.batcher = new ScriptBatcher(redis, latency, clock, maxBatch, maxInFlight);
        this.prefetch = maxPrefetch == 0 ? null : new Prefetch(maxPrefetch, prefetchTime, clock);
    }

    @Override
    public List<BucketAnswer> acquire(List<Acquire> buckets) throws RedisUnavailableException {
        if (prefetch == null) {
            return batcher.send(Request.plain(buckets)).outcomes();
        }
        return prefetch.acquire(buckets, batcher::send);
    }

    /**
     * Takes the batching and prefetch settings of a reloaded configuration. Prefetch is switched on or off only at
     * start-up: with it off, a {@code maxPrefetch} is ignored.
     */
    void resize(int maxBatch, int maxInFlight, int maxPrefetch, Duration prefetchTime) {
        batcher.resize(maxBatch, maxInFlight);
        if (prefetch != null && maxPrefetch > 0) {
            prefetch.resize(maxPrefetch, prefetchTime);
        }
    }

    /** Script calls made, and the requests they served: their ratio is the mean batch size. */
    long calls() {
        return batcher.calls();
    }

    long requests() {
        return batcher.requests();
    }

    /** Units taken ahead for requests to come, and the requests served from them without a call. */
    long prefetched() {
        return prefetch == null ? 0 : prefetch.prefetched();
    }

    long servedFromPrefetch() {
        return prefetch == null ? 0 : prefetch.served();
    }

    /** Units this instance holds for these buckets, unused and not ended. */
    int held(List<Acquire> buckets) {
        return prefetch == null ? 0 : prefetch.held(buckets);
    }

    /** Script calls on the wire now. */
    int callsInFlight() {
        return batcher.callsInFlight();
    }

    /** Requests queued for the next call. */
    int waiting() {
        return batcher.waiting();
    }

    @Override
    public long reset(List<String> keys) throws RedisUnavailableException {
        if (prefetch != null) {
            prefetch.clear();
        }
        long n = 0;
        for (String key : keys) {
            // one DEL per key: keys of different identities may sit in different cluster slots
            n += redis.call(j -> j.del(key));
        }
        return n;
    }
}
