package dev.tollgate.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * The effective configuration as the start-up log shows it: one line per group of sibling keys, sorted, each
 * {@code name=value} in logfmt style (e.g. {@code gateway.admin: allowed-addresses="127.0.0.1/32, ::1/128"
 * enabled=false token=****}): a value that is empty or holds a space, comma or quote is quoted, and every value
 * is shown as {@link Secrets#shown} allows (an empty secret as {@code ""}, since it reveals nothing). Stateless.
 */
public final class ConfigSummary {
    private ConfigSummary() {
    }

    /** The lines for the given effective {@code gateway.*} properties. */
    public static List<String> lines(Map<String, String> effective) {
        Map<String, StringJoiner> groups = new TreeMap<>();
        new TreeMap<>(effective).forEach((key, value) -> {
            int dot = key.lastIndexOf('.');
            String group = dot < 0 ? key : key.substring(0, dot);
            String v = value.trim();
            groups.computeIfAbsent(group, g -> new StringJoiner(" ", g + ": ", ""))
                    .add(key.substring(dot + 1) + "=" + quoted(v.isEmpty() ? v : Secrets.declared().shown(key, v)));
        });
        List<String> out = new ArrayList<>();
        groups.values().forEach(j -> out.add(j.toString()));
        return out;
    }

    private static String quoted(String v) {
        boolean plain = !v.isEmpty() && v.chars().noneMatch(c -> c == ' ' || c == ',' || c == '"' || c == '\\');
        return plain ? v : "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
