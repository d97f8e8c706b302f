package dev.tollgate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.config.ConfigException;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.observability.HealthCheck;
import dev.tollgate.route.Route;
import dev.tollgate.testsupport.Configs;
import org.junit.jupiter.api.Test;

class GatewayReloadTest {
    private static final String SERVICE = "gateway.services.up.instances = http://127.0.0.1:9";

    private static GatewayConfig config(String... lines) {
        String[] all = new String[lines.length + 2];
        all[0] = SERVICE;
        all[1] = "gateway.metrics.jmx.enabled = false";
        System.arraycopy(lines, 0, all, 2, lines.length);
        return Configs.of(all);
    }

    @Test
    void swapsRoutesAtomicallyAndReportsWhatChanged() {
        try (Gateway gateway = new Gateway(config("gateway.routes.a.path = /a/**", "gateway.routes.a.service = up",
                "gateway.routes.b.path = /b/**", "gateway.routes.b.service = up"))) {
            Route before = gateway.routes().match(null, "GET", "/a/x");
            Gateway.Reload r = gateway.reload(config(
                    "gateway.routes.a.path = /a/**", "gateway.routes.a.service = up",
                    "gateway.routes.a.strip-prefix = /a",
                    "gateway.routes.c.path = /c/**", "gateway.routes.c.service = up"));
            assertThat(r.added()).containsExactly("c");
            assertThat(r.removed()).containsExactly("b");
            assertThat(r.changed()).containsExactly("a");
            assertThat(gateway.routes().match(null, "GET", "/b/x")).isNull();
            assertThat(gateway.routes().match(null, "GET", "/c/x").name()).isEqualTo("c");
            assertThat(gateway.config().routes()).hasSize(2);
            // a request that matched before the reload keeps its route and its rewrite
            assertThat(before.rewrite("/a/x")).isEqualTo("/a/x");
            assertThat(gateway.routes().match(null, "GET", "/a/x").rewrite("/a/x")).isEqualTo("/x");
        }
    }

    @Test
    void refusesChangesThatNeedARestartAndKeepsTheRunningRoutes() {
        try (Gateway gateway = new Gateway(config("gateway.routes.a.path = /a/**", "gateway.routes.a.service = up"))) {
            assertThatThrownBy(() -> gateway.reload(config(
                    "gateway.routes.z.path = /z/**", "gateway.routes.z.service = up",
                    "gateway.http-client.max-connections = 10",
                    "gateway.admin.token = a-new-secret-value-that-is-long")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("gateway.http-client.max-connections: changed from \"512\" to \"10\"; "
                            + "needs a restart")
                    .hasMessageContaining("gateway.admin.token: changed; needs a restart")
                    .hasMessageNotContaining("a-new-secret");
            assertThat(gateway.routes().match(null, "GET", "/a/x")).isNotNull();
            assertThat(gateway.routes().match(null, "GET", "/z/x")).isNull();
        }
    }

    @Test
    void readinessIsDownWhileDraining() {
        Gateway gateway = new Gateway(config("gateway.routes.a.path = /a/**", "gateway.routes.a.service = up"));
        assertThat(gateway.readiness()).extracting(HealthCheck::name).containsExactly("draining", "discovery");
        assertThat(gateway.readiness()).allMatch(c -> c.run().up());
        gateway.close();
        assertThat(gateway.readiness().get(0).run().up()).isFalse();
    }
}
