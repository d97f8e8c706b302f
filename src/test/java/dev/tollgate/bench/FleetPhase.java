package dev.tollgate.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The client-side figures of one phase of the fleet benchmark: per gateway the answers by class and a latency
 * sample, per identity the requests sent and admitted (any answer but 429). Thread-safe.
 */
final class FleetPhase {
    /** Latencies kept per gateway (microseconds); beyond it they are not sampled. */
    private static final int SAMPLE = 1 << 20;

    private final int[][] latencies;
    private final AtomicInteger[] sampled;
    private final LongAdder[] answered;
    private final LongAdder[] limited;
    private final LongAdder[] failed;
    final AtomicLongArray sent;
    final AtomicLongArray admitted;

    FleetPhase(int gateways, int identities) {
        latencies = new int[gateways][SAMPLE];
        sampled = new AtomicInteger[gateways];
        answered = new LongAdder[gateways];
        limited = new LongAdder[gateways];
        failed = new LongAdder[gateways];
        for (int g = 0; g < gateways; g++) {
            sampled[g] = new AtomicInteger();
            answered[g] = new LongAdder();
            limited[g] = new LongAdder();
            failed[g] = new LongAdder();
        }
        sent = new AtomicLongArray(identities);
        admitted = new AtomicLongArray(identities);
    }

    /** One answer ({@code status} -1: none, the request failed). */
    void record(int gateway, int identity, int status, long nanos) {
        sent.incrementAndGet(identity);
        if (status < 0) {
            failed[gateway].increment();
            return;
        }
        answered[gateway].increment();
        if (status == 429) {
            limited[gateway].increment();
        } else {
            admitted.incrementAndGet(identity);
            if (status != 200) {
                failed[gateway].increment();
            }
        }
        int i = sampled[gateway].getAndIncrement();
        if (i < SAMPLE) {
            latencies[gateway][i] = (int) Math.min(Integer.MAX_VALUE, nanos / 1_000);
        }
    }

    long answered(int gateway) {
        return answered[gateway].sum();
    }

    long limited(int gateway) {
        return limited[gateway].sum();
    }

    /** Requests without an answer, and answers other than 200 and 429. */
    long failed(int gateway) {
        return failed[gateway].sum();
    }

    /** The p-th percentile latency in milliseconds. */
    double percentileMillis(int gateway, double p) {
        int n = Math.min(SAMPLE, sampled[gateway].get());
        if (n == 0) {
            return Double.NaN;
        }
        int[] copy = Arrays.copyOf(latencies[gateway], n);
        Arrays.sort(copy);
        return copy[(int) Math.min(n - 1, Math.ceil(p / 100 * n) - 1)] / 1000.0;
    }
}
