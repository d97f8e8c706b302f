package dev.tollgate.management;

import dev.tollgate.config.ConfigChanges;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The text of an applied reload, as {@code reloadConfig} returns it and the log line shows it: the route count, then
 * per kind that changed what was added, removed and changed, then each key that needs a restart. Names and key
 * names only: never a value of a secret. Stateless.
 */
public final class ReloadReport {
    private ReloadReport() {
    }

    public static String text(ConfigChanges.Diff diff, int routes) {
        List<String> parts = new ArrayList<>();
        parts.add(routes + " routes");
        for (Map.Entry<String, ConfigChanges.Change> e : diff.kinds().entrySet()) {
            if (!e.getValue().isEmpty()) {
                parts.add(e.getKey() + ": " + e.getValue());
            }
        }
        if (diff.isEmpty()) {
            parts.add("nothing changed");
        }
        if (!diff.restart().isEmpty()) {
            parts.add("needs a restart (running value kept): " + String.join(" | ", diff.restart()));
        }
        return String.join("; ", parts);
    }
}
