package dev.tollgate.ratelimit;

import dev.tollgate.redis.RedisUnavailableException;
import java.util.List;

/**
 * Where buckets live: in process ({@link LocalBuckets}) or in Redis ({@link RedisBuckets}). Both run the same
 * algorithms with the same arithmetic, so they answer the same sequence of requests identically.
 */
interface Buckets {
    /**
     * Takes one unit from every bucket, atomically and all or nothing: when an enforced bucket has no room,
     * nothing is taken from any bucket. Otherwise every bucket with room (report-only ones included) takes one.
     *
     * @return one outcome per bucket, in order
     */
    List<BucketAnswer> acquire(List<Acquire> buckets) throws RedisUnavailableException;

    /** Empties the buckets with these keys; returns how many existed. */
    long reset(List<String> keys) throws RedisUnavailableException;
}
