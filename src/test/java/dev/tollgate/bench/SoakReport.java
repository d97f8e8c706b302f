package dev.tollgate.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The fault soak's report (Markdown): one table row per phase, the causes of every answer other than 200 and
 * 429, what the half-sent requests got, samples of what went wrong, and the goal lines. The limit check per
 * phase: a hot user (sending above the limit) may be admitted at most {@code limit × (⌈D / window⌉ + 1)} times
 * in a phase of D seconds (the sliding window admits at most {@code limit} in any window; one window more for
 * requests sent in the phase and decided a little after it, and for the hand-over between Redis and the local
 * fallback, each side of which holds its own log), at least half of {@code N = limit × D / window} (a limit
 * that refuses what it should admit is broken too), and a normal user (well below the limit) never gets 429.
 * Stateless.
 */
final class SoakReport {
    private SoakReport() {
    }

    static String render(List<SoakPhase> phases, Map<String, String> settings, int stillInFlight) {
        long limit = Long.parseLong(settings.get("limit"));
        double windowS = Long.parseLong(settings.get("window")) / 1000.0;
        StringBuilder out = new StringBuilder();
        out.append("| phase | s | sent | answered | lost | crossed | 200 | 429 | 5xx | 500 | p99 ms "
                + "| hot user admitted (min–max) | expected N | bound | normal-user 429 | aborted | half-sent |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        long lost = 0;
        long crossed = 0;
        long fiveHundred = 0;
        StringBuilder limitsOff = new StringBuilder();
        StringBuilder details = new StringBuilder();
        for (SoakPhase p : phases) {
            double d = p.seconds();
            double n = limit * d / windowS;
            long upper = limit * ((long) Math.ceil(d / windowS - 1e-9) + 1);
            long lower = (long) Math.floor(n / 2);
            boolean within = p.hotMax() <= upper && p.hotMin() >= lower && p.normal429.sum() == 0;
            if (!within) {
                limitsOff.append(limitsOff.length() == 0 ? "" : ", ").append(p.name);
            }
            lost += p.lost();
            crossed += p.crossed.sum();
            fiveHundred += p.count500();
            out.append(String.format(Locale.ROOT,
                    "| %s | %.1f | %d | %d | %d | %d | %d | %d | %d | %d | %.1f | %d–%d | %.0f | %d–%d "
                            + "| %d | %d | %d |%n",
                    p.name, d, p.sent.sum(), p.answered.sum(), p.lost(), p.crossed.sum(), status(p, 200),
                    status(p, 429), fiveXx(p), p.count500(), p.percentileMs(99), p.hotMin(), p.hotMax(), n, lower,
                    upper, p.normal429.sum(), p.aborted.sum(), halfSentCount(p)));
            details.append("- ").append(p.name).append(": answers other than 200/429: ")
                    .append(SoakPhase.format(p.causes)).append("; no answer: timeout ").append(p.timedOut.sum())
                    .append(p.noAnswer.isEmpty() ? "" : ", " + SoakPhase.format(p.noAnswer))
                    .append("; half-sent: ").append(SoakPhase.format(p.halfSent))
                    .append(String.format(Locale.ROOT, "; hot users' 429: %d; p50 %.1f ms%n", p.hotRejectedSum(),
                            p.percentileMs(50)));
            for (String s : p.samples) {
                details.append("  - ").append(s).append('\n');
            }
        }
        out.append('\n').append(details).append('\n');
        if (stillInFlight > 0) {
            out.append("- ").append(stillInFlight).append(" request(s) had not ended when the client stopped"
                    + " waiting (counted nowhere above)\n");
        }
        out.append(String.format(Locale.ROOT, "- goal: 0 lost: %s (%d); 0 crossed: %s (%d); no 500: %s (%d); "
                + "limits within bounds in every phase: %s%n", lost == 0 ? "met" : "NOT met", lost,
                crossed == 0 ? "met" : "NOT met", crossed, fiveHundred == 0 ? "met" : "NOT met", fiveHundred,
                limitsOff.length() == 0 ? "met" : "NOT met (" + limitsOff + ")"));
        boolean all = lost == 0 && crossed == 0 && fiveHundred == 0 && limitsOff.length() == 0 && stillInFlight == 0;
        out.append("- SOAK ").append(all ? "PASSED" : "FAILED").append('\n');
        return out.toString();
    }

    private static long status(SoakPhase p, int status) {
        LongAdder a = p.statuses.get(status);
        return a == null ? 0 : a.sum();
    }

    private static long fiveXx(SoakPhase p) {
        return p.statuses.entrySet().stream().filter(e -> e.getKey() >= 500).mapToLong(e -> e.getValue().sum()).sum();
    }

    private static long halfSentCount(SoakPhase p) {
        return p.halfSent.entrySet().stream().filter(e -> !e.getKey().startsWith("aborted"))
                .mapToLong(e -> e.getValue().sum()).sum();
    }
}
