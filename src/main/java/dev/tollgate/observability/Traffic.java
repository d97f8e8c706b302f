package dev.tollgate.observability;

/**
 * Requests and latency of one route or upstream service, as Micrometer keeps them: counts since start-up,
 * maximum and percentiles over Micrometer's recent window (about two minutes).
 *
 * @param counts requests per status class, index 0 for 1xx to 4 for 5xx
 * @param totalMillis time spent in all of them
 * @param maxMillis the slowest recent request
 * @param p50Millis median latency, all status classes together
 * @param p95Millis 95th percentile
 * @param p99Millis 99th percentile
 */
public record Traffic(long[] counts, double totalMillis, double maxMillis, double p50Millis, double p95Millis,
                      double p99Millis) {
    public Traffic {
        counts = counts.clone();
    }

    public long count(int statusClass) {
        return counts[statusClass - 1];
    }

    public long total() {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        return n;
    }

    public double meanMillis() {
        long n = total();
        return n == 0 ? 0 : totalMillis / n;
    }
}
