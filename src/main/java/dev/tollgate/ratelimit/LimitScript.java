package dev.tollgate.ratelimit;

import dev.tollgate.redis.Redis;
import dev.tollgate.redis.RedisUnavailableException;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * What {@code limit.lua} is called with and what it answers, as typed values: a batch of {@link Request}s in,
 * one {@link Answer} per request out, in order. The script's own header describes the argument layout.
 */
final class LimitScript {
    static final LuaScript LIMIT = new LuaScript("limit.lua");
    /** The script's first argument when it is to take the time from Redis {@code TIME}. */
    static final String REDIS_TIME = "TIME";

    private LimitScript() {
    }

    /**
     * One request of a batch.
     *
     * @param buckets the buckets to take a unit from, all or nothing
     * @param want units to prefetch for a lease (0: none)
     * @param leaseMicros the prefetch lease, in microseconds
     * @param leaseId the new lease's name in the sliding logs ("" without prefetch)
     * @param refundId the name of an ended lease whose unused units go back ("" for none)
     * @param refund how many units go back
     * @param refundAt the time of the call that took them, in microseconds
     */
    record Request(List<Acquire> buckets, int want, long leaseMicros, String leaseId, String refundId, int refund,
                   long refundAt) {
        /** A request that prefetches nothing and gives nothing back. */
        static Request plain(List<Acquire> buckets) {
            return new Request(buckets, 0, 0, "", "", 0, 0);
        }
    }

    /**
     * The script's answer to one request.
     *
     * @param outcomes one per bucket, in order
     * @param granted the units prefetched for it
     * @param time the time of the call (Redis's, or the one it was given), in microseconds
     */
    record Answer(List<BucketAnswer> outcomes, int granted, long time) {
    }

    /**
     * Runs the batch in one script call; in a Redis Cluster all its keys must be in one hash slot.
     *
     * @param micros the time to count in, or empty for Redis {@code TIME}
     * @param latency records the round trip
     */
    static List<Answer> call(Redis redis, List<Request> batch, OptionalLong micros, Timer latency)
            throws RedisUnavailableException {
        List<String> keys = new ArrayList<>();
        List<String> args = arguments(batch, micros, keys);
        long start = System.nanoTime();
        List<?> values = (List<?>) redis.call(j -> LIMIT.eval(j, keys, args));
        latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return answers(batch, values);
    }

    /** The script's arguments for the batch; {@code keys} receives the distinct bucket keys they refer to. */
    static List<String> arguments(List<Request> batch, OptionalLong micros, List<String> keys) {
        Map<String, Integer> index = new HashMap<>();
        List<String> args = new ArrayList<>();
        args.add(micros.isPresent() ? Long.toString(micros.getAsLong()) : REDIS_TIME);
        args.add(Integer.toString(batch.size()));
        for (Request r : batch) {
            args.add(Integer.toString(r.buckets().size()));
            args.add(Integer.toString(r.want()));
            args.add(Long.toString(r.leaseMicros()));
            args.add(r.leaseId());
            args.add(r.refundId());
            args.add(Integer.toString(r.refund()));
            args.add(Long.toString(r.refundAt()));
            for (Acquire a : r.buckets()) {
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
        return args;
    }

    /** The script's flat list of integers read back as one answer per request of the batch. */
    static List<Answer> answers(List<Request> batch, List<?> values) {
        List<Answer> answers = new ArrayList<>(batch.size());
        int v = 0;
        for (Request r : batch) {
            List<BucketAnswer> out = new ArrayList<>(r.buckets().size());
            for (int i = 0; i < r.buckets().size(); i++, v += 4) {
                out.add(new BucketAnswer(number(values, v) == 1, number(values, v + 1), number(values, v + 2),
                        number(values, v + 3)));
            }
            answers.add(new Answer(out, (int) number(values, v), number(values, v + 1)));
            v += 2;
        }
        return answers;
    }

    private static long number(List<?> values, int i) {
        return ((Number) values.get(i)).longValue();
    }
}
