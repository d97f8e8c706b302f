package dev.tollgate.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.config.ConfigException;
import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.GatewayConfig;
import java.util.ArrayList;
import java.util.List;
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

    /** {@link #of} the lines after a static service {@code up} and a route {@code api} ({@code /api/**}) to it. */
    public static GatewayConfig withApiRoute(String... lines) {
        List<String> all = new ArrayList<>(List.of(
                "gateway.services.up.instances = http://127.0.0.1:9",
                "gateway.routes.api.path = /api/**",
                "gateway.routes.api.service = up"));
        all.addAll(List.of(lines));
        return of(all.toArray(new String[0]));
    }

    /** The problems {@link #withApiRoute} of these lines fails with; the test fails if it loads. */
    public static List<String> problemsWithApiRoute(String... lines) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> withApiRoute(lines));
        assertThat(e).as("expected a ConfigException").isNotNull();
        return e.problems();
    }
}
