package dev.tollgate.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The fleet benchmark's report: one table row per phase (algorithm), and per phase the Redis commands per
 * request and the hot identities' admissions against the limit. Appended to the report file as markdown.
 */
final class FleetReport {
    private final Map<String, String> settings;
    private final int gateways;
    private final List<FleetClientMain.Identity> identities;
    private final List<Integer> hot;
    private final List<String> rows = new ArrayList<>();
    private final List<String> details = new ArrayList<>();

    FleetReport(Map<String, String> settings, int gateways, List<FleetClientMain.Identity> identities,
                List<Integer> hot) {
        this.settings = settings;
        this.gateways = gateways;
        this.identities = identities;
        this.hot = hot;
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    void add(String algorithm, FleetPhase phase, double seconds, long[] cpuTicks, Map<String, Long> commands,
             double redisCpuSeconds, long scriptMicros, long[] keys) {
        double hz = Double.parseDouble(settings.get("hz"));
        long requests = 0;
        long failed = 0;
        long limited = 0;
        List<String> rps = new ArrayList<>();
        List<String> p99 = new ArrayList<>();
        List<String> cpu = new ArrayList<>();
        for (int g = 0; g < gateways; g++) {
            long n = phase.answered(g);
            requests += n;
            failed += phase.failed(g);
            limited += phase.limited(g);
            rps.add(f("%.0f", n / seconds));
            p99.add(f("%.1f", phase.percentileMillis(g, 99)));
            cpu.add(f("%.0f", n == 0 ? Double.NaN : cpuTicks[g] / hz * 1e6 / n));
        }
        long total = commands.values().stream().mapToLong(Long::longValue).sum();
        rows.add(f("| %s | %s | %.0f | %s | %s | %.3f | %.3f | %.1f | %.0f %% | %.1f | %d | %.0f | %.1f %% | %d |",
                algorithm, String.join(" / ", rps), requests / seconds, String.join(" / ", p99),
                String.join(" / ", cpu), (double) total / requests,
                (double) commands.getOrDefault("evalsha", 0L) / requests, (double) scriptMicros / requests,
                redisCpuSeconds / seconds * 100,
                redisCpuSeconds * 1e6 / requests, keys[0], keys[0] == 0 ? Double.NaN : (double) keys[1] / keys[0],
                100.0 * limited / requests, failed));
        details.add(detail(algorithm, phase, seconds, commands, requests));
    }

    /** Commands per request by name, and each hot identity's admissions against the limit. */
    private String detail(String algorithm, FleetPhase phase, double seconds, Map<String, Long> commands,
                          long requests) {
        long limit = Long.parseLong(settings.get("limit"));
        long window = Long.parseLong(settings.get("window"));
        double n = limit * seconds * 1000 / window;
        long bound = limit * ((long) Math.ceil(seconds * 1000 / window) + 1);
        String perCommand = commands.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> f("%s %.3f", e.getKey().toUpperCase(Locale.ROOT), (double) e.getValue() / requests))
                .collect(Collectors.joining(", "));
        String admitted = hot.stream().map(i -> f("%s %d/%d", identities.get(i).name(), phase.admitted.get(i),
                phase.sent.get(i))).collect(Collectors.joining(", "));
        long normalSent = 0;
        long normalRefused = 0;
        for (int i = 0; i < identities.size(); i++) {
            if (!hot.contains(i)) {
                normalSent += phase.sent.get(i);
                normalRefused += phase.sent.get(i) - phase.admitted.get(i);
            }
        }
        return f("- `%s`: Redis commands per request: %s. Hot identities, admitted/sent in %.1f s (limit %d per %d"
                + " ms: N = %.0f, a window-based bound %d): %s. Other identities: %d requests, %d not admitted.",
                algorithm, perCommand, seconds, limit, window, n, bound, admitted, normalSent, normalRefused);
    }

    void write(Path file) throws IOException {
        StringBuilder out = new StringBuilder();
        out.append(f("### %s%n%n", settings.get("label")));
        out.append("| algorithm | req/s per instance | req/s in all | p99 ms per instance | gateway CPU µs/req per"
                + " instance | Redis commands/req | EVALSHA/req | script µs/req in Redis | Redis CPU (of a core) |"
                + " Redis CPU µs/req |"
                + " rate-limit keys | bytes/key | 429 | failed |\n");
        out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        rows.forEach(r -> out.append(r).append('\n'));
        out.append('\n');
        details.forEach(d -> out.append(d).append('\n'));
        out.append('\n');
        Files.writeString(file, out, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        System.out.print(out);
    }
}
