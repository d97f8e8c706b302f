package dev.tollgate.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counts of one phase of the fault soak ({@code bench/soak.sh}): every request is counted in the phase in
 * which it was sent, whenever its answer comes. Thread-safe: written by the client's completion threads, read
 * once all requests have ended.
 */
final class SoakPhase {
    /** A sample of what went wrong, kept for the report (at most this many per kind). */
    private static final int SAMPLES = 5;

    final String name;
    final long startNanos;
    volatile long endNanos;

    final LongAdder sent = new LongAdder();
    final LongAdder answered = new LongAdder();
    final LongAdder timedOut = new LongAdder();
    final LongAdder crossed = new LongAdder();
    final LongAdder normal429 = new LongAdder();
    final Map<String, LongAdder> noAnswer = new ConcurrentHashMap<>();
    final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    final Map<String, LongAdder> causes = new ConcurrentHashMap<>();
    final Map<String, LongAdder> hotAdmitted = new ConcurrentHashMap<>();
    final Map<String, LongAdder> hotRejected = new ConcurrentHashMap<>();
    final LongAdder aborted = new LongAdder();
    final Map<String, LongAdder> halfSent = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<String> samples = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Long> latencyMicros = new ConcurrentLinkedQueue<>();

    SoakPhase(String name, long startNanos, List<String> hotUsers) {
        this.name = name;
        this.startNanos = startNanos;
        for (String u : hotUsers) {
            hotAdmitted.put(u, new LongAdder());
            hotRejected.put(u, new LongAdder());
        }
    }

    static void add(Map<String, LongAdder> map, String key) {
        map.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    void sample(String what) {
        if (samples.size() < SAMPLES * 4) {
            samples.add(what);
        }
    }

    void latency(long nanos) {
        latencyMicros.add(nanos / 1000);
    }

    double seconds() {
        return (endNanos - startNanos) / 1e9;
    }

    /** Normal requests without an answer, and half-sent ones that got neither an answer nor a close. */
    long lost() {
        long n = timedOut.sum();
        for (LongAdder a : noAnswer.values()) {
            n += a.sum();
        }
        for (Map.Entry<String, LongAdder> e : halfSent.entrySet()) {
            n += e.getKey().startsWith(SoakRawRequests.NO_ANSWER) ? e.getValue().sum() : 0;
        }
        return n;
    }

    long count500() {
        LongAdder a = statuses.get(500);
        long n = a == null ? 0 : a.sum();
        LongAdder h = halfSent.get("HTTP 500");
        return n + (h == null ? 0 : h.sum());
    }

    /** The p-th percentile (0-100) of the answered requests' latency in ms, or NaN without answers. */
    double percentileMs(double p) {
        List<Long> all = new ArrayList<>(latencyMicros);
        if (all.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(all);
        int i = (int) Math.ceil(p / 100 * all.size()) - 1;
        return all.get(Math.max(0, Math.min(all.size() - 1, i))) / 1000.0;
    }

    static String format(Map<?, LongAdder> map) {
        if (map.isEmpty()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        new TreeMap<>(map).forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(": ")
                .append(v.sum()));
        return b.toString();
    }

    long hotMin() {
        return hotAdmitted.values().stream().mapToLong(LongAdder::sum).min().orElse(0);
    }

    long hotMax() {
        return hotAdmitted.values().stream().mapToLong(LongAdder::sum).max().orElse(0);
    }

    long hotRejectedSum() {
        return hotRejected.values().stream().mapToLong(LongAdder::sum).sum();
    }
}
