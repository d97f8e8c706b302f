package dev.tollgate.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Aggregates the CPU samples ({@code jdk.ExecutionSample}) of a JFR recording for {@code bench/profile.sh}:
 * the methods most often on top of a sampled stack (self time), the methods most often anywhere in it (total
 * time, each method counted once per sample), the same for Tollgate's own methods ({@code dev.tollgate}), the self
 * time per code base (the first three parts of the package name), and the samples per thread group (thread names
 * with their digits dropped). Prints Markdown tables.
 *
 * <p>Usage: {@code JfrTopFrames <recording.jfr> [top n, default 10] [from to]}: with {@code from} and {@code to}
 * (epoch milliseconds) only the samples taken between them count.
 */
public final class JfrTopFrames {
    private JfrTopFrames() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1 && args.length != 2 && args.length != 4) {
            System.err.println("usage: JfrTopFrames <recording.jfr> [top n] [from to (epoch ms)]");
            System.exit(2);
        }
        int top = args.length >= 2 ? Integer.parseInt(args[1]) : 10;
        Instant from = args.length == 4 ? Instant.ofEpochMilli(Long.parseLong(args[2])) : Instant.MIN;
        Instant to = args.length == 4 ? Instant.ofEpochMilli(Long.parseLong(args[3])) : Instant.MAX;
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> total = new HashMap<>();
        Map<String, Integer> tollgate = new HashMap<>();
        Map<String, Integer> codeBases = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        int samples = 0;
        int truncated = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample")
                    || event.getStartTime().isBefore(from) || event.getStartTime().isAfter(to)) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            truncated += stack.isTruncated() ? 1 : 0;
            List<RecordedFrame> frames = stack.getFrames();
            self.merge(name(frames.get(0)), 1, Integer::sum);
            codeBases.merge(codeBase(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame frame : frames) {
                String name = name(frame);
                if (seen.add(name)) {
                    total.merge(name, 1, Integer::sum);
                    if (name.startsWith("dev.tollgate.")) {
                        tollgate.merge(name, 1, Integer::sum);
                    }
                }
            }
            RecordedThread thread = event.getThread("sampledThread");
            String group = thread == null || thread.getJavaName() == null ? "(unknown)"
                    : thread.getJavaName().replaceAll("[0-9]+", "N");
            threads.merge(group, 1, Integer::sum);
        }
        System.out.printf("%d CPU samples (jdk.ExecutionSample), %d with a truncated stack%n%n", samples, truncated);
        table("Top " + top + " by self time (the sampled frame)", self, samples, top);
        table("Top " + top + " by total time (anywhere on the stack)", total, samples, top);
        table("Top " + top + " Tollgate methods (dev.tollgate) by total time", tollgate, samples, top);
        table("Self time by code base (package, first three parts)", codeBases, samples, top);
        table("Samples by thread (digits shown as N)", threads, samples, top);
    }

    private static String name(RecordedFrame frame) {
        RecordedMethod m = frame.getMethod();
        return m.getType().getName() + "." + m.getName() + (frame.isJavaFrame() ? "" : " (native)");
    }

    private static String codeBase(RecordedFrame frame) {
        String type = frame.getMethod().getType().getName();
        String[] parts = type.split("\\.");
        if (parts.length > 3) {
            return String.join(".", parts[0], parts[1], parts[2]);
        }
        return type.substring(0, Math.max(0, type.lastIndexOf('.')));
    }

    private static void table(String title, Map<String, Integer> counts, int samples, int top) {
        System.out.printf("**%s**%n%n| # | %% of samples | samples | name |%n|---:|---:|---:|---|%n", title);
        int[] rank = {0};
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(top)
                .forEach(e -> System.out.printf("| %d | %.1f | %d | `%s` |%n", ++rank[0],
                        100.0 * e.getValue() / Math.max(1, samples), e.getValue(), e.getKey()));
        System.out.println();
    }
}
