package dev.tollgate.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * What the fleet benchmark reads from every Redis node ({@code INFO commandstats}, {@code INFO cpu}, and the
 * rate-limit keys with their {@code MEMORY USAGE}), summed over the nodes. One snapshot per call; not thread-safe.
 *
 * @param calls commands run, by name (the benchmark's own {@code INFO} excluded)
 * @param evalshaMicros the time Redis spent in {@code EVALSHA} (the rate-limit script), microseconds
 * @param cpuSeconds {@code used_cpu_user + used_cpu_sys}
 */
record FleetRedisStats(Map<String, Long> calls, long evalshaMicros, double cpuSeconds) {
    /** Commands the benchmark itself sends to read the figures. */
    private static final List<String> OWN = List.of("info", "scan", "memory");

    static FleetRedisStats read(List<Integer> ports) {
        Map<String, Long> calls = new TreeMap<>();
        double cpu = 0;
        long evalsha = 0;
        for (int port : ports) {
            try (Jedis j = new Jedis("127.0.0.1", port)) {
                for (String line : j.info("commandstats").split("\r?\n")) {
                    // cmdstat_evalsha:calls=123,usec=456,...
                    if (line.startsWith("cmdstat_")) {
                        String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                        int from = line.indexOf("calls=") + "calls=".length();
                        long n = Long.parseLong(line.substring(from, line.indexOf(',', from)));
                        if (!OWN.contains(name)) {
                            calls.merge(name, n, Long::sum);
                        }
                        if (name.equals("evalsha")) {
                            int at = line.indexOf("usec=") + "usec=".length();
                            evalsha += Long.parseLong(line.substring(at, line.indexOf(',', at)));
                        }
                    }
                }
                for (String line : j.info("cpu").split("\r?\n")) {
                    if (line.startsWith("used_cpu_user:") || line.startsWith("used_cpu_sys:")) {
                        cpu += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
            }
        }
        return new FleetRedisStats(calls, evalsha, cpu);
    }

    /** The commands run since {@code before}, by name. */
    Map<String, Long> since(FleetRedisStats before) {
        Map<String, Long> out = new TreeMap<>();
        calls.forEach((k, v) -> {
            long d = v - before.calls.getOrDefault(k, 0L);
            if (d > 0) {
                out.put(k, d);
            }
        });
        return out;
    }

    /** The rate-limit keys of one rule on every node: {@code [count, total MEMORY USAGE bytes]}. */
    static long[] keys(List<Integer> ports, String rule) {
        long count = 0;
        long bytes = 0;
        for (int port : ports) {
            try (Jedis j = new Jedis("127.0.0.1", port)) {
                String cursor = ScanParams.SCAN_POINTER_START;
                do {
                    ScanResult<String> page = j.scan(cursor, new ScanParams().match("tollgate:rl:*}:" + rule)
                            .count(1000));
                    Pipeline p = j.pipelined();
                    List<Response<Long>> sizes = new ArrayList<>();
                    page.getResult().forEach(k -> sizes.add(p.memoryUsage(k, 0)));
                    p.sync();
                    for (Response<Long> r : sizes) {
                        if (r.get() != null) { // expired meanwhile
                            count++;
                            bytes += r.get();
                        }
                    }
                    cursor = page.getCursor();
                } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            }
        }
        return new long[] {count, bytes};
    }
}
