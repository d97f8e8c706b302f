package dev.tollgate.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What a configuration reload may change while the gateway runs: the routes (paths, targets, rewrites,
 * timeouts, headers and every other per-route policy under {@code gateway.routes.}). Every other key sizes or
 * opens something built once at start-up (the connection pool, Redis, discovery, the admin endpoints), so a
 * change to it is reported as needing a restart, never applied in part or ignored. Stateless.
 */
public final class ConfigChanges {
    public static final String RELOADABLE_PREFIX = "gateway.routes.";

    private ConfigChanges() {
    }

    /** One problem per changed key outside the routes, naming the key and (unless secret) both values. */
    public static List<String> needingRestart(GatewayConfig running, GatewayConfig next) {
        Map<String, String> before = running.effective();
        Map<String, String> after = next.effective();
        TreeSet<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        List<String> problems = new ArrayList<>();
        for (String key : keys) {
            if (key.startsWith(RELOADABLE_PREFIX)) {
                continue;
            }
            String a = before.get(key);
            String b = after.get(key);
            if (!Objects.equals(trim(a), trim(b))) {
                String shown = Secrets.declared().isSecret(key) ? "changed"
                        : "changed from " + quote(key, a) + " to " + quote(key, b);
                problems.add(key + ": " + shown + "; needs a restart (only gateway.routes.* is reloaded)");
            }
        }
        return problems;
    }

    private static String trim(String v) {
        return v == null ? null : v.trim();
    }

    private static String quote(String key, String v) {
        return v == null ? "(unset)" : "\"" + Secrets.declared().shown(key, v.trim()) + "\"";
    }
}
