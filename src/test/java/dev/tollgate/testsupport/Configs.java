package dev.tollgate.testsupport;

import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.GatewayConfig;
import java.util.Map;
import java.util.TreeMap;

/** Builds validated configurations from property lines, as the listener would, without a container. */
public final class Configs {
    private Configs() {
    }

    public static GatewayConfig of(String... lines) {
        Map<String, String> system = new TreeMap<>();
        for (String line : lines) {
            int eq = line.indexOf('=');
            system.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
        }
        return ConfigLoader.load(null, null, system, Map.of());
    }
}
